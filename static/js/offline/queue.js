// The offline queue: encounters saved with no signal, kept in this phone's IndexedDB until the
// server has them. Each entry belongs to one user (phones are shared) and is one of:
//   waiting   the encounter, to be sent to /api/v1/sync/;
//   rejected  the server refused it; `errors` says why, and it stays until fixed or discarded;
//   enrolled  synced, and it enrolled a new participant: `publicId` is shown until dismissed.
// Code answers of a participant enrolled offline live only in a waiting entry's payload.

const DB_NAME = "hrprogram-offline";
const DB_VERSION = 1;
const STORE = "encounters";

export const WAITING = "waiting";
export const REJECTED = "rejected";
export const ENROLLED = "enrolled";

let opening = null;

function database() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore(STORE, { keyPath: "id" });
        store.createIndex("user", "user");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => {
        opening = null;
        reject(request.error);
      };
    });
  }
  return opening;
}

async function run(mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const result = work(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(result.result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

/** Add or replace an entry (the id is the encounter's UUID, so a re-save replaces it). */
export function putEntry(entry) {
  return run("readwrite", (store) => store.put(entry));
}

export function getEntry(id) {
  return run("readonly", (store) => store.get(id));
}

export function deleteEntry(id) {
  return run("readwrite", (store) => store.delete(id));
}

/** This user's entries, oldest first. */
export async function entriesFor(user) {
  const entries = await run("readonly", (store) => store.index("user").getAll(user));
  return entries.sort((a, b) => a.savedAt.localeCompare(b.savedAt));
}

/** Every entry on this phone, whoever saved it. */
export function allEntries() {
  return run("readonly", (store) => store.getAll());
}
