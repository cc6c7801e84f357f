// What every part of the offline encounter screen shares: the form and the queue panel, the
// server's configuration and words (json_script blocks of the page: the CSP forbids inline
// script), and whether the network answers.

export const form = document.querySelector("[data-encounter-form]");
export const panel = document.querySelector("[data-offline-queue]");

function fromPage(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : {};
}

/** Whose queue this is and the URLs of the app (participants.views._offline_config). */
export const config = fromPage("offline-config");
/** The words of the offline queue, translated by the server. */
export const strings = fromPage("offline-strings");

const language = document.documentElement.lang || "en";
const plurals = new Intl.PluralRules(language);

export const clock = new Intl.DateTimeFormat(language, {
  weekday: "short",
  hour: "2-digit",
  minute: "2-digit",
});

/** A counted message ({one, many, other}) with its count in. */
export function counted(forms, count) {
  const text = forms[plurals.select(count)] || forms.other;
  return text.replace("%(count)s", String(count));
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
