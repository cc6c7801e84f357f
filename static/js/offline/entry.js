// A queued encounter and the form: building one from the form and saving it on this phone when
// there is no signal, putting a refused one back into the form to fix it, and the participant it
// is for (possibly someone known only by code answers until the sync enrols them).

import { WAITING, putEntry } from "./queue.js";
import { clock, config, form, isOffline, strings } from "./context.js";
import { render, showMessage, showQueuedConfirmation, sync } from "./panel.js";

const USED_IDS_KEY = "hrprogram.usedEncounterIds";

// Code answers of a participant chosen offline; they go only into the queued encounter.
let codeAnswers = null;
// The queued encounter being fixed after the server refused it, if any.
let fixing = null;

// --- Encounter ids ----------------------------------------------------------------------------
// A page served from the offline cache carries an id an earlier save may have used; the server
// would answer "already stored" and show the old encounter. Ids once submitted are remembered.

function usedIds() {
  try {
    return JSON.parse(localStorage.getItem(USED_IDS_KEY)) || [];
  } catch {
    return [];
  }
}

export function rememberUsedId(id) {
  const ids = usedIds().filter((used) => used !== id);
  ids.push(id);
  localStorage.setItem(USED_IDS_KEY, JSON.stringify(ids.slice(-50)));
}

export function encounterIdInput() {
  return form.querySelector('input[name="encounter_id"]');
}

/** A page from the offline cache may carry an id already used: give it a fresh one. */
export function renewUsedId() {
  const input = encounterIdInput();
  if (input && usedIds().includes(input.value)) input.value = crypto.randomUUID();
}

// --- Building a queued encounter from the form ------------------------------------------------

function selectedParticipant() {
  const input = form.querySelector('#participant-slot input[name="participant"]');
  return input ? input.value : "";
}

/** The answers to the code questions, once every question has one; else null. */
export function answersFromCodeQuestions() {
  const questions = form.querySelector("#code-questions");
  if (!questions) return null;
  const fields = [...questions.querySelectorAll("input[name^='code-'], select[name^='code-']")];
  const answers = {};
  for (const field of fields) {
    if (field.type === "radio" && !field.checked) continue;
    const value = field.value.trim();
    if (value) answers[field.name.slice("code-".length)] = field.type === "number" ? Number(value) : value;
  }
  // Every question needs an answer: the server checks them properly at sync.
  const asked = new Set(fields.map((field) => field.name.slice("code-".length)));
  return [...asked].every((key) => key in answers) ? answers : null;
}

function counterLabel(input) {
  const label = form.querySelector(`label[for="${input.id}"]`);
  return label ? label.textContent.trim() : input.name;
}

function participantSummary() {
  if (codeAnswers) return strings.new_participant;
  const value = selectedParticipant();
  if (value === "anonymous") return strings.anonymous;
  const card = form.querySelector("#selected-participant strong");
  return card ? card.textContent.trim() : value;
}

function number(name) {
  const input = form.querySelector(`[name="${name}"]`);
  return input ? Number(input.value || 0) : 0;
}

/** The queued encounter, in the shape /api/v1/sync/ takes, or an error message for the worker. */
function encounterFromForm() {
  const participant = selectedParticipant();
  if (!participant && !codeAnswers) return { error: strings.choose_participant };
  const supplies = [];
  const given = [];
  for (const input of form.querySelectorAll('input[name^="item_"]')) {
    const quantity = Number(input.value || 0);
    if (!Number.isInteger(quantity) || quantity < 0) {
      input.classList.add("is-invalid");
      input.focus();
      return { error: strings.negative };
    }
    if (input.max && quantity > Number(input.max)) {
      input.classList.add("is-invalid");
      input.focus();
      return { error: strings.too_many.replace("%(limit)s", input.max) };
    }
    input.classList.remove("is-invalid");
    if (quantity > 0) {
      supplies.push({ item: Number(input.name.slice("item_".length)), quantity });
      given.push(`${quantity} ${counterLabel(input)}`);
    }
  }
  const time = form.querySelector('[name="occurred_at"]')?.value;
  const occurredAt = time ? new Date(time) : new Date();
  const payload = {
    id: fixing ? fixing.id : crypto.randomUUID(),
    occurred_at: occurredAt.toISOString(),
    location: Number(form.querySelector('[name="location"]').value),
    kind: form.querySelector('[name="kind"]').value,
    participant: codeAnswers || participant === "anonymous" ? null : participant,
    supplies,
    syringes_collected: number("syringes_collected"),
    secondary_distribution_for: number("secondary_distribution_for"),
    overdose_reversals_reported: number("overdose_reversals_reported"),
    referral_kinds: [...form.querySelectorAll('input[name="referral_kinds"]:checked')].map(
      (input) => input.value,
    ),
    note: form.querySelector('[name="note"]')?.value || "",
  };
  for (const input of form.querySelectorAll("input[data-service]")) {
    payload[input.name] = input.checked;
  }
  if (codeAnswers) payload.new_participant = { answers: codeAnswers };
  const summary = [clock.format(occurredAt), participantSummary(), given.join(", ")]
    .filter(Boolean)
    .join(" · ");
  return { payload, summary };
}

// --- Saving without signal --------------------------------------------------------------------

/** Save the form's encounter in this phone's queue (or say what is missing) and start afresh. */
export async function queueEncounter() {
  const { payload, summary, error } = encounterFromForm();
  if (error) {
    showMessage(error, "text-danger");
    return;
  }
  await putEntry({
    id: payload.id,
    user: config.user,
    status: WAITING,
    savedAt: fixing?.savedAt || new Date().toISOString(),
    summary,
    payload,
  });
  showQueuedConfirmation(payload.id, summary);
  resetForm();
  await render();
  if (!isOffline()) sync();
}

// The finder as the server first rendered it, for when neither network nor cache can serve it.
const initialFinder = document.getElementById("participant-finder")?.cloneNode(true);

function showParticipantFinder() {
  const slot = document.getElementById("participant-slot");
  const fallback = () => {
    slot.replaceChildren(...(initialFinder ? [initialFinder.cloneNode(true)] : []));
    if (window.htmx) window.htmx.process(slot);
  };
  if (!window.htmx) return fallback();
  window.htmx.ajax("GET", config.finder, { target: "#participant-slot" }).catch(fallback);
}

function resetForm() {
  // Keep where and how the worker works; everything else back to the page's defaults.
  const location = form.querySelector('[name="location"]').value;
  const kind = form.querySelector('[name="kind"]').value;
  form.reset();
  form.querySelector('[name="location"]').value = location;
  form.querySelector('[name="kind"]').value = kind;
  encounterIdInput().value = crypto.randomUUID();
  codeAnswers = null;
  endFixing();
  showParticipantFinder();
  window.scrollTo(0, 0);
}

/** The encounter is for someone known only by these code answers until the sync. */
export function useCodeAnswers(answers) {
  codeAnswers = answers;
  const card = document.getElementById("code-participant-template").content.cloneNode(true);
  const slot = document.getElementById("participant-slot");
  slot.replaceChildren(card);
  if (window.htmx) window.htmx.process(slot);
}

/** Someone else was chosen: the code answers kept for a participant chosen offline go. */
export function forgetCodeAnswers() {
  codeAnswers = null;
}

// --- Fixing a refused encounter ---------------------------------------------------------------

function localTimeValue(iso) {
  const date = new Date(iso);
  const pad = (value) => String(value).padStart(2, "0");
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/** Put a refused encounter back into the form; Save then queues it again under its id. */
export function startFixing(entry) {
  const payload = entry.payload;
  form.reset();
  fixing = entry;
  encounterIdInput().value = entry.id;
  form.querySelector('[name="location"]').value = String(payload.location);
  form.querySelector('[name="kind"]').value = payload.kind;
  for (const input of form.querySelectorAll('input[name^="item_"]')) input.value = "0";
  for (const line of payload.supplies || []) {
    const input = form.querySelector(`input[name="item_${line.item}"]`);
    if (input) input.value = String(line.quantity);
  }
  for (const name of [
    "syringes_collected",
    "secondary_distribution_for",
    "overdose_reversals_reported",
  ]) {
    const input = form.querySelector(`[name="${name}"]`);
    if (input) input.value = String(payload[name] || 0);
  }
  for (const input of form.querySelectorAll("input[data-service]")) {
    input.checked = Boolean(payload[input.name]);
  }
  for (const input of form.querySelectorAll('input[name="referral_kinds"]')) {
    input.checked = (payload.referral_kinds || []).includes(input.value);
  }
  const time = form.querySelector('[name="occurred_at"]');
  if (time) time.value = localTimeValue(payload.occurred_at);
  const note = form.querySelector('[name="note"]');
  if (note) note.value = payload.note || "";
  for (const details of form.querySelectorAll("details")) details.open = true;
  if (payload.new_participant) {
    useCodeAnswers(payload.new_participant.answers);
  } else if (window.htmx) {
    codeAnswers = null;
    const who = payload.participant || "anonymous";
    window.htmx.ajax("GET", config.pick.replace(/anonymous\/$/, `${encodeURIComponent(who)}/`), {
      target: "#participant-slot",
    });
  }
  showMessage(strings.fixing, "text-primary");
  window.scrollTo(0, form.offsetTop);
}

function endFixing() {
  if (fixing) showMessage("");
  fixing = null;
}

export function isFixing() {
  return fixing !== null;
}

/** A discarded encounter is no longer being fixed. */
export function discarded(entry) {
  if (fixing?.id === entry.id) endFixing();
}
