// The service worker of the encounter screen, served from the site root (participants.views
// service_worker) so that its scope is the whole site: a worker among the static files could only
// control their folder.
//
// It keeps, for use without signal: the app shell (the encounter page, its CSS and JS, the words
// of the JS in every language, whose addresses carry their version), the item
// and kit catalogue, the worker's recent participants and the page fragments that pick them.
// It never queues anything itself: the page keeps unsent encounters in IndexedDB and syncs them.
// Everything but the static files belongs to the signed-in worker and is forgotten at sign-out or
// when another worker uses the phone.
//
// No URL of the app is written here. The server puts `self.OFFLINE_CONFIG` before this source:
// the encounter page's offline configuration (its URLs, less the user), `assets`, the static
// files of the page at their current, hashed URLs, and `version`, a digest of the modules whose
// names carry no hash. A deploy that changes any of them changes this script, so the browser
// installs the new worker, which fetches the page's files afresh and, once active, drops whatever
// the older versions kept that this one does not use.

const CONFIG = self.OFFLINE_CONFIG;
if (!CONFIG) throw new Error("sw.js is served with its configuration by the app, not as a file");

const CACHE = "hrprogram-offline-v1";
const CACHE_PREFIX = "hrprogram-offline-";
// A fresh copy of the shell and catalogue is fetched at most this often while online.
const REFRESH_EVERY_MS = 5 * 60 * 1000;
// After this long without an answer the network counts as gone (a signal that comes and goes).
const NETWORK_TIMEOUT_MS = 8000;

const absolute = (url) => new URL(url, self.location.origin).href;
const pathOf = (url) => new URL(url, self.location.origin).pathname;

const STATIC = pathOf(CONFIG.static);
const PAGE = pathOf(CONFIG.page);
const FINDER = pathOf(CONFIG.finder);
const SEARCH = pathOf(CONFIG.search);
const LOGOUT = pathOf(CONFIG.logout);
const HOME = pathOf(CONFIG.home);
// Every participant's pick fragment: the anonymous one's URL without its last part.
const PICK = pathOf(CONFIG.pick).replace(/anonymous\/$/, "");
// The API answers kept for use without signal: the catalogue and the recent participants.
const KEPT_API = new Set([...CONFIG.catalogue, CONFIG.recent].map(pathOf));
// The static files of this version, fetched at install; other static files go at activation.
const ASSETS = [...new Set(CONFIG.assets.map(absolute))];
// Not a page of the app: where this worker notes whose data the cache holds.
const META = new URL("__offline__/meta", self.registration.scope).href;

function isStatic(url) {
  return new URL(url).pathname.startsWith(STATIC);
}

/** Whether this version of the worker uses a cached request (else an older one kept it). */
function isCurrent(url) {
  if (ASSETS.includes(url)) return true;
  if (isStatic(url)) return false;
  const path = new URL(url).pathname;
  return (
    url === META || path === PAGE || path === FINDER || path.startsWith(PICK) || KEPT_API.has(path)
  );
}

// --- Versions: install the new static files, then drop the old ones --------------------------

/** Fetch every static file of this version, then keep them; one failure fails the install. */
async function precache() {
  const cache = await caches.open(CACHE);
  const responses = await Promise.all(
    ASSETS.map(async (url) => {
      // Revalidated: a file without a hash in its name may have changed under the same URL.
      const response = await fetch(url, { cache: "no-cache" });
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      return [url, response];
    }),
  );
  await Promise.all(responses.map(([url, response]) => cache.put(url, response)));
}

/** Drop older versions' caches, and their entries in this one (old hashed files above all). */
async function evictOldVersions() {
  for (const name of await caches.keys()) {
    if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
  }
  const cache = await caches.open(CACHE);
  for (const request of await cache.keys()) {
    if (!isCurrent(request.url)) await cache.delete(request);
  }
}

self.addEventListener("install", (event) => {
  // A failed install leaves the previous version in charge; the browser tries again later.
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(evictOldVersions().then(() => self.clients.claim()));
});

// --- Small helpers ----------------------------------------------------------------------------

function fromNetwork(request) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), NETWORK_TIMEOUT_MS);
    fetch(request).then(
      (response) => {
        clearTimeout(timer);
        resolve(response);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function markedAsCached(response, status = response.status) {
  const headers = new Headers(response.headers);
  headers.set("X-Offline-Cache", "1");
  return new Response(response.body, { status, statusText: response.statusText, headers });
}

function htmlResponse(body, status = 200) {
  return new Response(body, {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "X-Offline-Cache": "1" },
  });
}

function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (character) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[character],
  );
}

async function readMeta(cache) {
  const response = await cache.match(META);
  return response ? response.json() : {};
}

function writeMeta(cache, meta) {
  return cache.put(META, new Response(JSON.stringify(meta), { headers: { "Content-Type": "application/json" } }));
}

/** Fetch `url` with the worker's session and keep it, unless the answer is not a real page. */
async function keep(cache, url) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  if (response.ok && !response.redirected) {
    await cache.put(url, response.clone());
    return response;
  }
  return null;
}

async function forgetWorkerData() {
  const cache = await caches.open(CACHE);
  for (const request of await cache.keys()) {
    if (!isStatic(request.url) && !ASSETS.includes(request.url)) await cache.delete(request);
  }
}

function pickUrl(publicId) {
  return CONFIG.pick.replace(/anonymous\/$/, `${encodeURIComponent(publicId)}/`);
}

function people(list) {
  return Array.isArray(list) ? list : list.results || [];
}

// --- Filling the cache (asked by the encounter page while online) -----------------------------

async function refresh(message) {
  const cache = await caches.open(CACHE);
  const meta = await readMeta(cache);
  if (meta.user !== message.user) await forgetWorkerData();
  // This version's static files, and any other the page says it loaded.
  const assets = new Set([...ASSETS, ...(message.assets || []).map(absolute)]);
  await Promise.all(
    [...assets].map(async (url) => {
      if (!(await cache.match(url))) await cache.add(url).catch(() => {});
    }),
  );
  const fresh =
    !message.force &&
    meta.user === message.user &&
    Date.now() - (meta.refreshedAt || 0) < REFRESH_EVERY_MS &&
    (await cache.match(CONFIG.page));
  if (fresh) return;
  const shell = await keep(cache, CONFIG.page);
  if (!shell) return; // signed out, or the server is down: keep what there is
  await Promise.all(
    [CONFIG.finder, CONFIG.pick, ...CONFIG.catalogue].map((url) => keep(cache, url).catch(() => null)),
  );
  const recent = await keep(cache, CONFIG.recent).catch(() => null);
  if (recent) {
    const wanted = new Set([absolute(CONFIG.pick)]);
    for (const person of people(await recent.json())) {
      const url = pickUrl(person.public_id);
      wanted.add(absolute(url));
      await keep(cache, url).catch(() => null);
    }
    // People no longer among the recent ones are not kept on the phone.
    for (const request of await cache.keys()) {
      const path = new URL(request.url).pathname;
      if (path.startsWith(PICK) && !wanted.has(request.url)) {
        await cache.delete(request);
      }
    }
  }
  await writeMeta(cache, { user: message.user, refreshedAt: Date.now() });
}

self.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "warm") return;
  const port = event.ports[0];
  event.waitUntil(
    refresh(event.data).then(
      () => port && port.postMessage({ ok: true }),
      (error) => port && port.postMessage({ ok: false, error: String(error) }),
    ),
  );
});

// --- Answering requests -----------------------------------------------------------------------

async function encounterPage(request) {
  try {
    return await fromNetwork(request);
  } catch (error) {
    const cache = await caches.open(CACHE);
    const cached = await cache.match(CONFIG.page, { ignoreSearch: true, ignoreVary: true });
    return cached ? markedAsCached(cached) : Response.error();
  }
}

async function homePage(request) {
  try {
    return await fromNetwork(request);
  } catch (error) {
    const cache = await caches.open(CACHE);
    const cached = await cache.match(CONFIG.page, { ignoreSearch: true, ignoreVary: true });
    return cached ? Response.redirect(absolute(CONFIG.page), 302) : Response.error();
  }
}

async function staleWhileRevalidate(event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(event.request, { ignoreVary: true });
  const network = fetch(event.request).then((response) => {
    if (response.ok) cache.put(event.request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(network.catch(() => null));
    return cached;
  }
  return network;
}

async function networkFirst(request, { keepNew }) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fromNetwork(request);
    if (response.ok && !response.redirected) {
      const known = keepNew || (await cache.match(request, { ignoreVary: true }));
      if (known) await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreVary: true });
    return cached ? markedAsCached(cached) : Response.error();
  }
}

/** Without signal, a search looks among the recent participants kept on the phone. */
async function search(request, url) {
  try {
    return await fromNetwork(request);
  } catch (error) {
    const cache = await caches.open(CACHE);
    const listed = await cache.match(CONFIG.recent, { ignoreVary: true });
    const query = (url.searchParams.get("q") || "").trim();
    if (!query) return htmlResponse("");
    const lower = query.toLowerCase();
    const compact = query.toUpperCase().replace(/^HR-?/, "");
    const matches = [];
    for (const person of listed ? people(await listed.json()) : []) {
      const alias = person.alias || "";
      if (!alias.toLowerCase().includes(lower) && !(compact && person.public_id.startsWith(`HR-${compact}`))) {
        continue;
      }
      const pick = pickUrl(person.public_id);
      if (!(await cache.match(pick, { ignoreVary: true }))) continue;
      const label = alias ? `${person.public_id} (${alias})` : person.public_id;
      matches.push(
        `<button type="button" class="list-group-item list-group-item-action" hx-get="${escapeHtml(pick)}" hx-target="#participant-slot"><span class="public-id">${escapeHtml(label)}</span></button>`,
      );
    }
    // 503 tells the page to say that only recent participants can be found without signal.
    if (!matches.length) return htmlResponse("", 503);
    return htmlResponse(`<div class="list-group">${matches.join("")}</div>`);
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === LOGOUT) {
    // Signing out leaves nothing of this worker's participants in the cache.
    event.waitUntil(forgetWorkerData());
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    if (url.pathname === PAGE) event.respondWith(encounterPage(request));
    // The home-screen icon and the brand link open the home page: with no signal, the
    // encounter screen kept on the phone opens instead of the browser's error page.
    else if (url.pathname === HOME) event.respondWith(homePage(request));
    return;
  }
  if (url.pathname.startsWith(STATIC) || ASSETS.includes(request.url)) {
    event.respondWith(staleWhileRevalidate(event));
  } else if (url.pathname.startsWith(PICK) || url.pathname === FINDER) {
    event.respondWith(networkFirst(request, { keepNew: true }));
  } else if (KEPT_API.has(url.pathname)) {
    event.respondWith(networkFirst(request, { keepNew: false }));
  } else if (url.pathname === SEARCH) {
    event.respondWith(search(request, url));
  }
});
