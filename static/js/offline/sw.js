// The service worker of the encounter screen. Served at /sw.js by participants.views so that
// its scope is the whole site (a worker under /static/ could only control /static/).
//
// It keeps, for use without signal: the app shell (the encounter page, its CSS and JS), the item
// and kit catalogue, the worker's recent participants and the page fragments that pick them.
// It never queues anything itself: the page keeps unsent encounters in IndexedDB and syncs them.
// Everything but /static/ belongs to the signed-in worker and is forgotten at sign-out or when
// another worker uses the phone.

const CACHE = "hrprogram-offline-v1";
// Paths of participants/urls.py and accounts/urls.py that the worker handles.
const PAGE = "/encounters/new/";
const PICK = "/participants/pick/";
const FINDER = "/participants/finder/";
const SEARCH = "/participants/search/";
const API = "/api/v1/";
const LOGOUT = "/accounts/logout/";
const META = "/__offline__/meta";
// A fresh copy of the shell and catalogue is fetched at most this often while online.
const REFRESH_EVERY_MS = 5 * 60 * 1000;
// After this long without an answer the network counts as gone (a signal that comes and goes).
const NETWORK_TIMEOUT_MS = 8000;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("hrprogram-offline-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
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
    if (!new URL(request.url).pathname.startsWith("/static/")) await cache.delete(request);
  }
}

function pickUrl(anonymousPickUrl, publicId) {
  return anonymousPickUrl.replace(/anonymous\/$/, `${encodeURIComponent(publicId)}/`);
}

function people(list) {
  return Array.isArray(list) ? list : list.results || [];
}

// --- Filling the cache (asked by the encounter page while online) -----------------------------

async function refresh(message) {
  const cache = await caches.open(CACHE);
  const meta = await readMeta(cache);
  if (meta.user !== message.user) await forgetWorkerData();
  await Promise.all(
    (message.assets || []).map(async (url) => {
      if (!(await cache.match(url))) await cache.add(url).catch(() => {});
    }),
  );
  const fresh =
    meta.user === message.user &&
    Date.now() - (meta.refreshedAt || 0) < REFRESH_EVERY_MS &&
    (await cache.match(message.page));
  if (fresh) return;
  const shell = await keep(cache, message.page);
  if (!shell) return; // signed out, or the server is down: keep what there is
  await Promise.all([message.finder, message.pick, ...message.catalogue].map((url) => keep(cache, url).catch(() => null)));
  const recent = await keep(cache, message.recent).catch(() => null);
  if (recent) {
    const wanted = new Set([new URL(message.pick, self.location.origin).href]);
    for (const person of people(await recent.json())) {
      const url = pickUrl(message.pick, person.public_id);
      wanted.add(new URL(url, self.location.origin).href);
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
  await writeMeta(cache, {
    user: message.user,
    refreshedAt: Date.now(),
    recent: message.recent,
    pick: message.pick,
  });
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
    const cached = await cache.match(PAGE, { ignoreSearch: true, ignoreVary: true });
    return cached ? markedAsCached(cached) : Response.error();
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
    const meta = await readMeta(cache);
    const listed = meta.recent && (await cache.match(meta.recent, { ignoreVary: true }));
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
      const pick = pickUrl(meta.pick, person.public_id);
      if (!(await cache.match(pick, { ignoreVary: true }))) continue;
      const label = alias ? `${person.public_id} (${alias})` : person.public_id;
      matches.push(
        `<button type="button" class="list-group-item list-group-item-action" hx-get="${escapeHtml(pick)}" hx-target="#participant-slot">${escapeHtml(label)}</button>`,
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
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(staleWhileRevalidate(event));
  } else if (url.pathname.startsWith(PICK) || url.pathname === FINDER) {
    event.respondWith(networkFirst(request, { keepNew: true }));
  } else if (url.pathname.startsWith(API)) {
    event.respondWith(networkFirst(request, { keepNew: false }));
  } else if (url.pathname === SEARCH) {
    event.respondWith(search(request, url));
  }
});
