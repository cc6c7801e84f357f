// Send this user's waiting encounters to /api/v1/sync/ and record what the server answered.
// The batch is idempotent (each encounter carries its UUID), so resending after a network error,
// a timeout or a second tab's sync never stores anything twice.

import { ENROLLED, REJECTED, WAITING, deleteEntry, entriesFor, putEntry } from "./queue.js";

const BATCH_SIZE = 500;

export class SyncError extends Error {
  // kind: "signin" (session gone), "network" (no answer), "server" (5xx, 400),
  //       "throttled" (429, see retryAfter), "unavailable" (503, see retryAfter),
  //       "forbidden" (403 other than CSRF). Every kind leaves the entries waiting.
  constructor(kind, message = "", retryAfter = 0) {
    super(message || kind);
    this.kind = kind;
    this.retryAfter = retryAfter;
  }
}

function cookie(name) {
  const prefix = `${name}=`;
  const found = document.cookie.split("; ").find((part) => part.startsWith(prefix));
  return found ? decodeURIComponent(found.slice(prefix.length)) : "";
}

/** A fresh CSRF token, from the cookie or else from a freshly served encounter page. */
async function freshToken(pageUrl) {
  const fromCookie = cookie("csrftoken");
  if (fromCookie) return fromCookie;
  const response = await fetch(pageUrl, { credentials: "same-origin", cache: "no-store" });
  const html = await response.text();
  const page = new DOMParser().parseFromString(html, "text/html");
  return page.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
}

async function post(url, token, items) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": token,
      },
      body: JSON.stringify({ items }),
    });
  } catch (error) {
    throw new SyncError("network", String(error));
  }
  // The idle timeout answers a signed-out session with a redirect to the sign-in page.
  const isJson = (response.headers.get("Content-Type") || "").includes("json");
  if (response.status === 401 || (response.redirected && !isJson)) {
    throw new SyncError("signin");
  }
  const body = isJson ? await response.json().catch(() => ({})) : {};
  if (response.status === 403) {
    const detail = String(body.detail || "");
    throw new SyncError(detail.startsWith("CSRF") ? "csrf" : "forbidden", detail);
  }
  if (response.status === 429) {
    const wait = Number(response.headers.get("Retry-After")) || 30;
    throw new SyncError("throttled", String(body.detail || ""), wait);
  }
  if (response.status === 503) {
    // The server is briefly without its database: the entries stay waiting for the next sync.
    const wait = Number(response.headers.get("Retry-After")) || 30;
    throw new SyncError("unavailable", String(body.detail || ""), wait);
  }
  if (!response.ok || !Array.isArray(body.results)) {
    throw new SyncError("server", JSON.stringify(body).slice(0, 300));
  }
  return body.results;
}

function reasons(errors) {
  // {"supplies": ["Only 3 left"], "new_participant.answers.birth_year": ["..."]} -> messages
  return Object.values(errors || {}).flat().map(String);
}

async function record(entry, result) {
  if (result.status === "created" || result.status === "exists") {
    if (entry.payload.new_participant && result.participant_public_id) {
      // A participant known by code answers: the worker needs the card id the server found or
      // gave (even when an earlier, unanswered sync stored it). The answers are not kept.
      await putEntry({
        id: entry.id,
        user: entry.user,
        savedAt: entry.savedAt,
        summary: entry.summary,
        status: ENROLLED,
        publicId: result.participant_public_id,
        alreadyEnrolled: result.status === "created" && !result.participant_enrolled,
      });
    } else {
      await deleteEntry(entry.id);
    }
    return "synced";
  }
  if (result.retry) return "waiting"; // the server failed, not the entry: it stays queued
  const messages = reasons(result.errors);
  await putEntry({ ...entry, status: REJECTED, errors: messages.length ? messages : ["?"] });
  return "rejected";
}

/**
 * Sync every waiting entry of `user`. Returns {synced, rejected}; throws SyncError when the
 * batch as a whole could not be handed over (the entries then stay waiting).
 */
export async function syncWaiting({ user, url, pageUrl }) {
  const run = async () => {
    const counts = { synced: 0, rejected: 0, waiting: 0 };
    const waiting = (await entriesFor(user)).filter((entry) => entry.status === WAITING);
    for (let start = 0; start < waiting.length; start += BATCH_SIZE) {
      const batch = waiting.slice(start, start + BATCH_SIZE);
      const items = batch.map((entry) => entry.payload);
      let results;
      try {
        results = await post(url, cookie("csrftoken") || (await freshToken(pageUrl)), items);
      } catch (error) {
        if (!(error instanceof SyncError) || error.kind !== "csrf") throw error;
        // A token from before the last sign-in: fetch a current one and try once more.
        results = await post(url, await freshToken(pageUrl), items);
      }
      for (const [index, entry] of batch.entries()) {
        const result = results[index];
        if (result && String(result.id).toLowerCase() === entry.id.toLowerCase()) counts[await record(entry, result)] += 1;
      }
    }
    return counts;
  };
  // Two open tabs must not send the same batch at the same moment (harmless, but wasteful).
  if (navigator.locks) return navigator.locks.request("hrprogram-sync", run);
  return run();
}
