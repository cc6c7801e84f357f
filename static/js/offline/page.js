// The encounter screen without signal. Online, nothing here changes how the page saves: the form
// posts as always. With no network, Save puts the encounter in this phone's queue (IndexedDB)
// with a UUID made here, the page shows how many wait, and the queue goes to /api/v1/sync/ as
// soon as the network returns (the `online` event, then a retry every little while).

import {
  ENROLLED,
  REJECTED,
  WAITING,
  allEntries,
  deleteEntry,
  entriesFor,
  getEntry,
  putEntry,
} from "./queue.js";
import { SyncError, syncWaiting } from "./sync.js";

const RETRY_SECONDS = 20;
const CONFIRMATION_SECONDS = 10;
const USED_IDS_KEY = "hrprogram.usedEncounterIds";

const form = document.querySelector("[data-encounter-form]");
const panel = document.querySelector("[data-offline-queue]");
const config = JSON.parse(document.getElementById("offline-config").textContent);
const strings = JSON.parse(document.getElementById("offline-strings").textContent);
const language = document.documentElement.lang || "en";
const plurals = new Intl.PluralRules(language);
const clock = new Intl.DateTimeFormat(language, {
  weekday: "short",
  hour: "2-digit",
  minute: "2-digit",
});

// Set after a request failed for want of network although the browser claims to be online.
let unreachable = false;
// Code answers of a participant chosen offline; they go only into the queued encounter.
let codeAnswers = null;
// The queued encounter being fixed after the server refused it, if any.
let fixing = null;
let syncing = false;

function isOffline() {
  return !navigator.onLine || unreachable;
}

function counted(forms, count) {
  const text = forms[plurals.select(count)] || forms.other;
  return text.replace("%(count)s", String(count));
}

function part(name) {
  return panel.querySelector(`[data-${name}]`);
}

function button(label, className, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = className;
  element.textContent = label;
  element.addEventListener("click", onClick);
  return element;
}

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

function rememberUsedId(id) {
  const ids = usedIds().filter((used) => used !== id);
  ids.push(id);
  localStorage.setItem(USED_IDS_KEY, JSON.stringify(ids.slice(-50)));
}

function encounterIdInput() {
  return form.querySelector('input[name="encounter_id"]');
}

// --- Building a queued encounter from the form ------------------------------------------------

function selectedParticipant() {
  const input = form.querySelector('#participant-slot input[name="participant"]');
  return input ? input.value : "";
}

function answersFromCodeQuestions() {
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

async function queueEncounter() {
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

function showQueuedConfirmation(id, summary) {
  const confirmation = part("offline-saved");
  part("offline-saved-text").textContent = strings.saved_offline;
  part("offline-saved-summary").textContent = summary;
  const undo = part("offline-undo");
  undo.textContent = strings.undo;
  undo.onclick = async () => {
    const entry = await getEntry(id);
    if (entry && entry.status === WAITING) await deleteEntry(id);
    confirmation.hidden = true;
    await render();
  };
  confirmation.hidden = false;
  clearTimeout(showQueuedConfirmation.timer);
  showQueuedConfirmation.timer = setTimeout(() => {
    confirmation.hidden = true;
  }, CONFIRMATION_SECONDS * 1000);
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

function useCodeAnswers(answers) {
  codeAnswers = answers;
  const card = document.getElementById("code-participant-template").content.cloneNode(true);
  const slot = document.getElementById("participant-slot");
  slot.replaceChildren(card);
  if (window.htmx) window.htmx.process(slot);
}

// --- The queue on the page --------------------------------------------------------------------

function showMessage(text, className = "text-muted") {
  const message = part("sync-message");
  message.className = `small mb-2 ${className}`;
  message.replaceChildren(text);
  message.hidden = !text;
}

function errorsList(errors) {
  const list = document.createElement("ul");
  list.className = "mb-1 ps-3";
  for (const error of errors || []) {
    const item = document.createElement("li");
    item.textContent = error;
    list.append(item);
  }
  return list;
}

async function render() {
  const entries = await entriesFor(config.user);
  const waiting = entries.filter((entry) => entry.status === WAITING);
  const rejected = entries.filter((entry) => entry.status === REJECTED);
  const enrolled = entries.filter((entry) => entry.status === ENROLLED);

  const banner = part("offline-banner");
  banner.textContent = strings.offline;
  banner.hidden = !isOffline();

  const status = part("sync-status");
  status.hidden = waiting.length === 0;
  part("waiting-count").textContent = counted(strings.waiting, waiting.length);
  const syncNow = part("sync-now");
  syncNow.textContent = strings.sync_now;
  syncNow.disabled = syncing;
  part("waiting-list").replaceChildren(
    ...waiting.map((entry) => {
      const item = document.createElement("li");
      item.textContent = entry.summary;
      return item;
    }),
  );

  part("enrolled-list").replaceChildren(
    ...enrolled.map((entry) => {
      const notice = document.createElement("div");
      notice.className = "alert alert-success py-2 mb-2";
      notice.dataset.enrolled = entry.publicId;
      const text = document.createElement("div");
      const message = entry.alreadyEnrolled ? strings.already_enrolled : strings.enrolled;
      text.textContent = message.replace("%(public_id)s", entry.publicId);
      notice.append(
        text,
        button(strings.dismiss, "btn btn-sm btn-outline-dark mt-1", async () => {
          await deleteEntry(entry.id);
          await render();
        }),
      );
      return notice;
    }),
  );

  const rejectedList = part("rejected-list");
  const items = rejected.map((entry) => {
    const item = document.createElement("div");
    item.className = "alert alert-danger py-2 mb-2";
    item.dataset.rejected = entry.id;
    const summary = document.createElement("div");
    summary.className = "fw-semibold";
    summary.textContent = entry.summary;
    const actions = document.createElement("div");
    actions.className = "d-flex gap-2";
    actions.append(
      button(strings.fix, "btn btn-sm btn-primary", () => startFixing(entry)),
      button(strings.discard, "btn btn-sm btn-outline-danger", async () => {
        if (!window.confirm(strings.discard_confirm)) return;
        await deleteEntry(entry.id);
        if (fixing?.id === entry.id) endFixing();
        await render();
      }),
    );
    item.append(summary, errorsList(entry.errors), actions);
    return item;
  });
  if (items.length) {
    const heading = document.createElement("div");
    heading.className = "fw-semibold mb-1";
    heading.textContent = counted(strings.rejected, items.length);
    items.unshift(heading);
  }
  rejectedList.replaceChildren(...items);

  // Phones are shared: say that other workers' encounters wait here, without showing them.
  const others = (await allEntries()).filter(
    (entry) => entry.user !== config.user && entry.status !== ENROLLED,
  ).length;
  const otherWorkers = part("other-workers");
  otherWorkers.textContent = others ? counted(strings.other_workers, others) : "";
  otherWorkers.hidden = !others;
  return { waiting, rejected, enrolled };
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

function startFixing(entry) {
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

// --- Syncing ----------------------------------------------------------------------------------

async function sync() {
  if (syncing || !navigator.onLine) return;
  syncing = true;
  const { waiting } = await render();
  if (!waiting.length) {
    syncing = false;
    return;
  }
  showMessage(strings.syncing);
  try {
    const counts = await syncWaiting({ user: config.user, url: config.sync, pageUrl: config.page });
    unreachable = false;
    showMessage(counts.synced ? counted(strings.synced, counts.synced) : "", "text-success");
  } catch (error) {
    const kind = error instanceof SyncError ? error.kind : "network";
    if (kind === "network") unreachable = true;
    if (kind === "signin") {
      const link = document.createElement("a");
      link.href = `${config.login}?next=${encodeURIComponent(config.page)}`;
      link.textContent = strings.sign_in_link;
      showMessage("", "text-danger");
      part("sync-message").replaceChildren(`${strings.sign_in} `, link);
      part("sync-message").hidden = false;
    } else if (kind === "forbidden") {
      showMessage(error.message, "text-danger");
    } else {
      showMessage(strings.sync_failed, "text-danger");
    }
  } finally {
    syncing = false;
    await render();
  }
}

// --- Service worker: the app shell and catalogue for use without signal -----------------------

function staticAssets() {
  const origin = window.location.origin;
  const urls = new Set(
    performance
      .getEntriesByType("resource")
      .map((entry) => entry.name)
      .filter((url) => url.startsWith(`${origin}/static/`)),
  );
  for (const element of document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=apple-touch-icon]")) {
    const url = new URL(element.src || element.href, origin);
    if (url.origin === origin) urls.add(url.href);
  }
  return [...urls];
}

function markReadyForOffline() {
  document.documentElement.dataset.offlineReady = "true";
  const note = document.querySelector("[data-offline-ready-note]");
  if (note) {
    note.textContent = strings.ready;
    note.hidden = false;
  }
}

async function prepareForOffline() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(config.service_worker, { scope: "/" });
  } catch {
    return;
  }
  const registration = await navigator.serviceWorker.ready;
  if (isOffline()) {
    markReadyForOffline();
    return;
  }
  const channel = new MessageChannel();
  channel.port1.onmessage = (event) => {
    if (event.data && event.data.ok) markReadyForOffline();
  };
  registration.active.postMessage(
    {
      type: "warm",
      user: config.user,
      page: config.page,
      finder: config.finder,
      pick: config.pick,
      catalogue: config.catalogue,
      recent: config.recent,
      assets: staticAssets(),
    },
    [channel.port2],
  );
}

// --- Wiring -----------------------------------------------------------------------------------

if (form && panel) {
  const idInput = encounterIdInput();
  if (idInput && usedIds().includes(idInput.value)) idInput.value = crypto.randomUUID();

  // Save tapped while the chosen participant is still on its way: save once it has arrived,
  // rather than refuse the encounter for want of a participant.
  let pickingParticipant = 0;
  let saveAfterPick = false;
  const isSlot = (event) => event.detail.target && event.detail.target.id === "participant-slot";
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (isSlot(event)) pickingParticipant += 1;
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (!isSlot(event)) return;
    pickingParticipant = Math.max(0, pickingParticipant - 1);
    if (!event.detail.successful) saveAfterPick = false;
  });
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (isSlot(event) && saveAfterPick && pickingParticipant === 0) {
      saveAfterPick = false;
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", (event) => {
    if (pickingParticipant > 0) {
      event.preventDefault();
      saveAfterPick = true;
    } else if (isOffline() || fixing) {
      event.preventDefault();
      queueEncounter();
    } else if (idInput) {
      rememberUsedId(idInput.value);
    }
  });

  // Without signal the code questions cannot be checked: keep the answers for the sync.
  // The enrolment page needs the network too: offline, the code questions enrol at sync.
  document.addEventListener(
    "click",
    (event) => {
      const enrol = event.target.closest("[data-enrol-link]");
      if (enrol && isOffline()) {
        event.preventDefault();
        const questions = document.getElementById("code-questions")?.closest("details");
        if (questions) questions.open = true;
        showMessage(strings.enrol_offline, "text-primary");
        return;
      }
      const lookup = event.target.closest("#code-questions [hx-post]");
      if (!lookup || !isOffline()) return;
      event.preventDefault();
      event.stopPropagation();
      const answers = answersFromCodeQuestions();
      if (!answers) {
        showMessage(strings.answer_questions, "text-danger");
        return;
      }
      showMessage("");
      useCodeAnswers(answers);
    },
    true,
  );

  document.body.addEventListener("htmx:afterSwap", (event) => {
    // Choosing someone else forgets answers kept for a participant chosen offline.
    if (event.detail.target.id === "participant-slot" && !event.detail.target.querySelector("[data-code-participant]")) {
      codeAnswers = null;
    }
  });
  document.body.addEventListener("htmx:sendError", (event) => {
    unreachable = true;
    render();
    const lookup = event.detail.elt.closest?.("#code-questions");
    if (lookup) {
      const answers = answersFromCodeQuestions();
      if (answers) useCodeAnswers(answers);
    }
  });
  document.body.addEventListener("htmx:responseError", (event) => {
    // The service worker answers a search with no signal and no match with 503.
    const results = document.getElementById("search-results");
    if (event.detail.xhr.status === 503 && results && event.detail.target === results) {
      const hint = document.createElement("p");
      hint.className = "small text-muted mb-0";
      hint.textContent = strings.search_offline;
      results.replaceChildren(hint);
    }
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const fromCache = event.detail.xhr.getResponseHeader("X-Offline-Cache");
    if (event.detail.successful && unreachable && !fromCache) {
      unreachable = false;
      render();
    }
  });

  part("sync-now").addEventListener("click", () => sync());
  window.addEventListener("online", () => {
    unreachable = false;
    sync();
  });
  window.addEventListener("offline", () => render());
  setInterval(() => {
    if (navigator.onLine) sync();
  }, RETRY_SECONDS * 1000);

  render().then(() => sync());
  // Filling the offline cache waits until the page is up, so it never slows the first taps.
  const prepareWhenIdle = () => setTimeout(prepareForOffline, 500);
  if (document.readyState === "complete") prepareWhenIdle();
  else window.addEventListener("load", prepareWhenIdle, { once: true });
}
