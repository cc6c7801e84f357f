// The queue panel above the encounter form: "3 waiting to sync", the encounters the server
// refused (to fix or discard), the card ids of participants enrolled at sync, the "saved on this
// phone" confirmation with its undo, and the sync that empties the queue.

import { ENROLLED, REJECTED, WAITING, allEntries, deleteEntry, entriesFor, getEntry } from "./queue.js";
import { SyncError, syncWaiting } from "./sync.js";
import { prepareForOffline } from "./worker.js";
import { config, counted, isOffline, panel, setUnreachable, strings } from "./context.js";

const CONFIRMATION_SECONDS = 10;

let syncing = false;
let confirmationTimer = null;
// The server asked to wait (a 503 while its database restarts, a 429): no automatic sync
// before then, and one is planned for then.
let waitUntil = 0;
let retryTimer = null;
// What the refused encounters' buttons do (set by page.js: fixing belongs to entry.js).
let refusedActions = { fix: () => {}, discarded: () => {} };

/** fix(entry): load a refused encounter into the form; discarded(entry): after a discard. */
export function onRefused(actions) {
  refusedActions = actions;
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

export function showMessage(text, className = "text-muted") {
  const message = part("sync-message");
  message.className = `small mb-2 ${className}`;
  message.replaceChildren(text);
  message.hidden = !text;
}

function showSignIn() {
  const link = document.createElement("a");
  link.href = `${config.login}?next=${encodeURIComponent(config.page)}`;
  link.textContent = strings.sign_in_link;
  showMessage("", "text-danger");
  part("sync-message").replaceChildren(`${strings.sign_in} `, link);
  part("sync-message").hidden = false;
}

export function showQueuedConfirmation(id, summary) {
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
  clearTimeout(confirmationTimer);
  confirmationTimer = setTimeout(() => {
    confirmation.hidden = true;
  }, CONFIRMATION_SECONDS * 1000);
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

/** The message's words around its card id, the id in a span that never wraps at its hyphen
 * ("HR-" / "GWFER"), as the card_id template filter draws it. */
function withCardId(message, publicId) {
  const placeholder = "%(public_id)s";
  const at = message.indexOf(placeholder);
  if (at < 0) return [message];
  const id = document.createElement("span");
  id.className = "public-id";
  id.textContent = publicId;
  return [message.slice(0, at), id, message.slice(at + placeholder.length)];
}

function enrolledNotice(entry) {
  const notice = document.createElement("div");
  notice.className = "alert alert-success py-2 mb-2";
  notice.dataset.enrolled = entry.publicId;
  const text = document.createElement("div");
  const message = entry.alreadyEnrolled ? strings.already_enrolled : strings.enrolled;
  text.append(...withCardId(message, entry.publicId));
  notice.append(
    text,
    button(strings.dismiss, "btn btn-sm btn-outline-dark mt-1", async () => {
      await deleteEntry(entry.id);
      await render();
    }),
  );
  return notice;
}

function refusedItem(entry) {
  const item = document.createElement("div");
  item.className = "alert alert-danger py-2 mb-2";
  item.dataset.rejected = entry.id;
  const summary = document.createElement("div");
  summary.className = "fw-semibold";
  summary.textContent = entry.summary;
  const actions = document.createElement("div");
  actions.className = "d-flex gap-2";
  actions.append(
    button(strings.fix, "btn btn-sm btn-primary", () => refusedActions.fix(entry)),
    button(strings.discard, "btn btn-sm btn-outline-danger", async () => {
      if (!window.confirm(strings.discard_confirm)) return;
      await deleteEntry(entry.id);
      refusedActions.discarded(entry);
      await render();
    }),
  );
  item.append(summary, errorsList(entry.errors), actions);
  return item;
}

/** Draw the panel from this phone's queue; returns this worker's entries by status. */
export async function render() {
  const entries = await entriesFor(config.user);
  const waiting = entries.filter((entry) => entry.status === WAITING);
  const rejected = entries.filter((entry) => entry.status === REJECTED);
  const enrolled = entries.filter((entry) => entry.status === ENROLLED);

  const banner = part("offline-banner");
  banner.textContent = strings.offline;
  banner.hidden = !isOffline();

  part("sync-status").hidden = waiting.length === 0;
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

  part("enrolled-list").replaceChildren(...enrolled.map(enrolledNotice));

  const items = rejected.map(refusedItem);
  if (items.length) {
    const heading = document.createElement("div");
    heading.className = "fw-semibold mb-1";
    heading.textContent = counted(strings.rejected, items.length);
    items.unshift(heading);
  }
  part("rejected-list").replaceChildren(...items);

  // Phones are shared: say that other workers' encounters wait here, without showing them.
  const others = (await allEntries()).filter(
    (entry) => entry.user !== config.user && entry.status !== ENROLLED,
  ).length;
  const otherWorkers = part("other-workers");
  otherWorkers.textContent = others ? counted(strings.other_workers, others) : "";
  otherWorkers.hidden = !others;
  return { waiting, rejected, enrolled };
}

/** The entries stay waiting; say how long the server asked to wait and sync again then. */
function retryWhenAsked(seconds) {
  waitUntil = Date.now() + seconds * 1000;
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => sync({ now: true }), seconds * 1000);
  showMessage(counted(strings.server_busy, seconds), "text-danger");
}

/** Send the waiting encounters, if any and if the browser has a network; say how it went.
 * `now`: even if the server asked to wait (the Sync now button, the planned retry). */
export async function sync({ now = false } = {}) {
  if (syncing || !navigator.onLine) return;
  if (!now && Date.now() < waitUntil) return;
  syncing = true;
  const { waiting } = await render();
  if (!waiting.length) {
    syncing = false;
    return;
  }
  showMessage(strings.syncing);
  try {
    const counts = await syncWaiting({ user: config.user, url: config.sync, pageUrl: config.page });
    waitUntil = 0;
    clearTimeout(retryTimer);
    setUnreachable(false);
    showMessage(counts.synced ? counted(strings.synced, counts.synced) : "", "text-success");
    // Whoever the sync enrolled or saw is now among the recent participants to keep offline.
    if (counts.synced) prepareForOffline({ force: true });
  } catch (error) {
    const kind = error instanceof SyncError ? error.kind : "network";
    if (kind === "network") setUnreachable(true);
    if (kind === "signin") {
      showSignIn();
    } else if (kind === "unavailable" || kind === "throttled") {
      retryWhenAsked(error.retryAfter);
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

/** The panel's own button. */
export function connectSyncButton() {
  part("sync-now").addEventListener("click", () => sync({ now: true }));
}
