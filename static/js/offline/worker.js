// The service worker of the encounter screen (sw.js, served at config.service_worker): registered
// here, then asked to keep this worker's copy of the page, catalogue and recent participants for
// use without signal. The worker knows the app's URLs from the server (rendered into its source);
// the page tells it whose data to keep and which static files this page actually loaded.

import { config, isOffline, strings } from "./context.js";

// Filling the offline cache waits until the page is up, so it never slows the first taps.
const IDLE_MS = 500;

/** The same-origin static files this page loaded (scripts, modules, styles, icons). */
function staticAssets() {
  const origin = window.location.origin;
  const prefix = new URL(config.static, origin).href;
  const urls = new Set(
    performance
      .getEntriesByType("resource")
      .map((entry) => entry.name)
      .filter((url) => url.startsWith(prefix)),
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

/**
 * Register the worker (a changed sw.js, say after a deploy with new static files, installs and
 * takes over by itself) and, online, have it refresh this worker's offline copy. `force` after
 * a save or a sync: the people just seen are on the phone before the signal goes, not up to
 * five minutes later.
 */
export async function prepareForOffline({ force = false } = {}) {
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
    { type: "warm", user: config.user, assets: staticAssets(), force },
    [channel.port2],
  );
}

/** Prepare once the page has loaded and settled. */
export function prepareWhenIdle() {
  // A page that confirms a save has someone new among the recent participants.
  const force = Boolean(document.getElementById("saved-confirmation"));
  const later = () => setTimeout(() => prepareForOffline({ force }), IDLE_MS);
  if (document.readyState === "complete") later();
  else window.addEventListener("load", later, { once: true });
}
