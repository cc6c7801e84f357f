// The encounter screen without signal. Online, nothing here changes how the page saves: the form
// posts as always. With no network, Save puts the encounter in this phone's queue (IndexedDB)
// with a UUID made here, the page shows how many wait, and the queue goes to /api/v1/sync/ as
// soon as the network returns (the `online` event, then a retry every little while).
//
// This module connects the parts: entry.js (the queued encounter and the form), panel.js (the
// queue on the page and its sync), worker.js (the service worker) and context.js (what they
// share).

import { form, isOffline, isUnreachable, panel, setUnreachable, strings } from "./context.js";
import {
  answersFromCodeQuestions,
  discarded,
  encounterIdInput,
  forgetCodeAnswers,
  isFixing,
  queueEncounter,
  rememberUsedId,
  renewUsedId,
  startFixing,
  useCodeAnswers,
} from "./entry.js";
import { connectSyncButton, onRefused, render, showMessage, sync } from "./panel.js";
import { prepareWhenIdle } from "./worker.js";

const RETRY_SECONDS = 20;

/** Save tapped while the chosen participant is still on its way: save once it has arrived,
 * rather than refuse the encounter for want of a participant. Returns whether a pick is under way. */
function waitForParticipantPicks() {
  let picking = 0;
  let saveAfterPick = false;
  const isSlot = (event) => event.detail.target && event.detail.target.id === "participant-slot";
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (isSlot(event)) picking += 1;
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (!isSlot(event)) return;
    picking = Math.max(0, picking - 1);
    if (!event.detail.successful) saveAfterPick = false;
  });
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (isSlot(event) && saveAfterPick && picking === 0) {
      saveAfterPick = false;
      form.requestSubmit();
    }
  });
  return {
    pending: () => picking > 0,
    saveAfter: () => {
      saveAfterPick = true;
    },
  };
}

function connectSave() {
  const idInput = encounterIdInput();
  const picks = waitForParticipantPicks();
  form.addEventListener("submit", (event) => {
    if (picks.pending()) {
      event.preventDefault();
      picks.saveAfter();
    } else if (isOffline() || isFixing()) {
      event.preventDefault();
      queueEncounter();
    } else if (idInput) {
      rememberUsedId(idInput.value);
    }
  });
}

// Without signal the code questions cannot be checked: keep the answers for the sync, which
// finds or enrols the participant.
function connectCodeQuestions() {
  document.addEventListener(
    "click",
    (event) => {
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
    const slot = event.detail.target;
    if (slot.id === "participant-slot" && !slot.querySelector("[data-code-participant]")) {
      forgetCodeAnswers();
    }
  });
}

// htmx requests tell whether the network answers, whatever navigator.onLine claims.
function connectNetworkSigns() {
  document.body.addEventListener("htmx:sendError", (event) => {
    setUnreachable(true);
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
    if (event.detail.successful && isUnreachable() && !fromCache) {
      setUnreachable(false);
      render();
    }
  });
  window.addEventListener("online", () => {
    setUnreachable(false);
    sync();
  });
  window.addEventListener("offline", () => render());
}

if (form && panel) {
  renewUsedId();
  onRefused({ fix: startFixing, discarded });
  connectSave();
  connectCodeQuestions();
  connectNetworkSigns();
  connectSyncButton();
  setInterval(() => {
    if (navigator.onLine) sync();
  }, RETRY_SECONDS * 1000);

  render().then(() => sync());
  prepareWhenIdle();
}
