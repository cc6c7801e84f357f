// What every part of the offline encounter screen shares: the form and the queue panel, the
// server's configuration (a json_script block of the page: the CSP forbids inline script), the
// words of the queue in the page's language, and whether the network answers.

export const form = document.querySelector("[data-encounter-form]");
export const panel = document.querySelector("[data-offline-queue]");

function fromPage(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : {};
}

/** Whose queue this is and the URLs of the app (participants.views._offline_config). */
export const config = fromPage("offline-config");

// The page's JavaScript catalogue (core/javascript_catalog.py, from the djangojs .po files)
// defines gettext and friends; without it (never kept on this phone) the words stay English.
const gettext = window.gettext || ((text) => text);
const ngettext = window.ngettext || ((singular, plural, count) => (count === 1 ? singular : plural));
const pgettext = window.pgettext || ((context, text) => text);

/** The words of the offline queue; a counted one is a function of the count. */
export const strings = {
  waiting: (count) => ngettext("%(count)s waiting to sync", "%(count)s waiting to sync", count),
  rejected: (count) =>
    ngettext(
      "%(count)s encounter could not be synced: fix or discard it.",
      "%(count)s encounters could not be synced: fix or discard them.",
      count,
    ),
  synced: (count) => ngettext("%(count)s encounter synced.", "%(count)s encounters synced.", count),
  offline: gettext("No signal: encounters are saved on this phone and sync when the signal returns."),
  saved_offline: gettext("Saved on this phone. It will sync when the signal returns."),
  syncing: gettext("Syncing…"),
  sync_now: gettext("Sync now"),
  sign_in: gettext("Sign in again to sync the encounters waiting on this phone."),
  sign_in_link: gettext("Sign in"),
  sync_failed: gettext("Could not reach the server. Trying again soon."),
  server_busy: (count) =>
    ngettext(
      "The server is busy; trying again in %(count)s second.",
      "The server is busy; trying again in %(count)s seconds.",
      count,
    ),
  enrolled: gettext("New participant %(public_id)s enrolled. Write this id on their card."),
  already_enrolled: gettext("The code answers belong to %(public_id)s, who was already enrolled."),
  fix: gettext("Fix"),
  discard: gettext("Discard"),
  discard_confirm: gettext("Discard this encounter? It will not be recorded."),
  dismiss: gettext("Dismiss"),
  undo: gettext("Undo"),
  anonymous: gettext("Anonymous"),
  new_participant: gettext("New participant (card id given at sync)"),
  choose_participant: gettext("Find the participant, or choose anonymous."),
  answer_questions: gettext("Answer the code questions first."),
  search_offline: gettext("No signal: only people seen recently can be found by card id or alias. Use the code questions for anyone else."),
  too_many: gettext("At most %(limit)s of this item at one encounter."),
  negative: gettext("A quantity cannot be negative."),
  fixing: gettext("Fixing an encounter that could not be synced. Save sends it again."),
  ready: pgettext("offline status", "Ready to work without signal."),
  other_workers: (count) =>
    ngettext(
      "%(count)s encounter saved by another worker waits on this phone; it syncs when they sign in.",
      "%(count)s encounters saved by other workers wait on this phone; they sync when those workers sign in.",
      count,
    ),
};

const language = document.documentElement.lang || "en";

export const clock = new Intl.DateTimeFormat(language, {
  weekday: "short",
  hour: "2-digit",
  minute: "2-digit",
});

/** A counted message (strings.waiting, ...) with its count in. */
export function counted(message, count) {
  return message(count).replace("%(count)s", String(count));
}

// Set after a request failed for want of network although the browser claims to be online.
let unreachable = false;

export function isOffline() {
  return !navigator.onLine || unreachable;
}

export function setUnreachable(value) {
  unreachable = value;
}

export function isUnreachable() {
  return unreachable;
}
