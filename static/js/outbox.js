/*
 * The outbox of the patient's phone (issue 18), an ES module: entries waiting to be sent, kept
 * in IndexedDB (survives a reload, a closed app, a crash), each with its client UUID so that a
 * replay is stored once by the server. Today's queue (today/queue.js) keeps a copy in memory,
 * writes every change through, entry by entry, and reads the outbox again before sending.
 *
 *   open(owner) -> Promise<entries[]>  (oldest first)
 *   put(entry) / drop(clientUuid)       (one entry, in its own transaction; resolves once
 *                                        written, rejects if the write failed)
 *   list() -> Promise<entries[]>       (as every tab has left them, oldest first)
 *   add(entry) / remove(clientUuid) -> Promise<entries[]>  (put or drop, then list)
 *
 * Two tabs of the app (or the app and a check-in page) may queue at the same time: every write
 * touches one entry, so neither drops what the other queued.
 *   uuid4() -> a new client UUID (the one maker of them on the patient's pages)
 *   inProgress() -> {begin, end, has}(clientUuid)  (operations on entries not finished yet)
 *   sendRecord(entry) -> Promise<{kind: "ok"|"refused"|"retry", ...}>  (transport.js)
 *
 * Entries of a ``kind`` ("checkin", "atrs": records.js) are JSON for the API at their ``url``;
 * entries without one are Today's ticks (for POST /api/v1/logs/). All are idempotent by their
 * client UUID, sent with the session's sign-in and CSRF token. Today sends them all, in order;
 * the check-in and ATRS pages send their own kinds.
 *
 * ``owner`` (the patient's id) keeps one person's entries from another's on a shared phone.
 * Entries an earlier version kept in localStorage move here once. Where IndexedDB is missing
 * (some private modes) the list lives in localStorage as before.
 *
 * Notices kept for the patient until they act on them (today/queue.js: a note for the clinic
 * the server refused, with its words), on this phone only, never sent anywhere by this module:
 *   keepNotice(notice) / dropNotice(clientUuid) / notices() -> Promise<notices[]>
 * They are rows of the same store under an owner of their own ("<owner> notices"), so that
 * list() and the pages that send the outbox never see them; in localStorage where IndexedDB is
 * missing.
 */
import { send } from "./transport.js";

var DB_NAME = "rehab-outbox";
var STORE = "entries";
var database = null;
var owner = "";

function legacyKey() {
  return "rehab.queue.v1." + owner;
}

/* The owner of the patient's notices in the store, and their key in localStorage. */
function noticeOwner() {
  return owner + " notices";
}

function noticeKey() {
  return "rehab.notices.v1." + owner;
}

function request(req) {
  return new Promise(function (resolve, reject) {
    req.onsuccess = function () {
      resolve(req.result);
    };
    req.onerror = function () {
      reject(req.error);
    };
  });
}

function openDatabase() {
  if (!window.indexedDB) {
    return Promise.resolve(null);
  }
  var req = window.indexedDB.open(DB_NAME, 1);
  req.onupgradeneeded = function () {
    var store = req.result.createObjectStore(STORE, { keyPath: "client_uuid" });
    store.createIndex("owner", "owner");
  };
  return request(req).catch(function () {
    return null;
  });
}

/* The rows of ``who`` (the outbox's owner, or its notices' owner), oldest first. */
function readAll(who) {
  var tx = database.transaction(STORE, "readonly");
  return request(tx.objectStore(STORE).index("owner").getAll(who)).then(function (rows) {
    return rows
      .sort(function (a, b) {
        return a.seq - b.seq;
      })
      .map(function (row) {
        var entry = Object.assign({}, row);
        delete entry.owner;
        delete entry.seq;
        return entry;
      });
  });
}

function legacyEntries(key) {
  try {
    return JSON.parse(window.localStorage.getItem(key || legacyKey()) || "[]");
  } catch (error) {
    return [];
  }
}

var writing = Promise.resolve();
var counter = 0;

/* A place at the end of the queue: later than every entry any tab has written so far. */
function nextSeq() {
  counter = (counter + 1) % 1000;
  return Date.now() * 1000 + counter;
}

function writeLegacy(change, key) {
  key = key || legacyKey();
  try {
    window.localStorage.setItem(key, JSON.stringify(change(legacyEntries(key))));
  } catch (error) {
    return Promise.reject(error); // storage full or disabled: not kept, and the caller says so
  }
  return Promise.resolve();
}

/* One read-write transaction on the store, after the ones before it: resolves once it has
   completed (the entry is on the phone), rejects if it failed or was aborted (storage full,
   the database closed). A failed write does not stop the ones after it. */
function transact(work) {
  var done = writing.then(function () {
    return new Promise(function (resolve, reject) {
      var tx = database.transaction(STORE, "readwrite");
      tx.oncomplete = function () {
        resolve();
      };
      tx.onerror = function () {
        reject(tx.error || new Error("outbox write failed"));
      };
      tx.onabort = function () {
        reject(tx.error || new Error("outbox write aborted"));
      };
      work(tx.objectStore(STORE));
    });
  });
  writing = done.catch(function () {
    return undefined;
  });
  return done;
}

/* Add ``entry``, or replace the one with its client UUID in its place. One entry at a time, in
   its own transaction: the entries another tab of the app queued meanwhile are never touched
   (writing the whole list back would drop them). */
export function put(entry) {
  return putAs(owner, entry);
}

/* ``entry`` as a row of ``who`` (the outbox's owner, or its notices' owner). */
function putAs(who, entry) {
  if (!database) {
    return writeLegacy(function (entries) {
      var found = false;
      entries = entries.map(function (item) {
        if (item.client_uuid === entry.client_uuid) {
          found = true;
          return entry;
        }
        return item;
      });
      return found ? entries : entries.concat([entry]);
    }, who === owner ? legacyKey() : noticeKey());
  }
  return transact(function (store) {
    var existing = store.get(entry.client_uuid);
    existing.onsuccess = function () {
      var row = existing.result;
      var seq = row && row.owner === who ? row.seq : nextSeq();
      store.put(Object.assign({}, entry, { owner: who, seq: seq }));
    };
  });
}

/* Take the entry with ``clientUuid`` out (sent, or refused for good); nothing else. */
export function drop(clientUuid) {
  return dropAs(owner, clientUuid);
}

function dropAs(who, clientUuid) {
  if (!database) {
    return writeLegacy(function (entries) {
      return entries.filter(function (item) {
        return item.client_uuid !== clientUuid;
      });
    }, who === owner ? legacyKey() : noticeKey());
  }
  return transact(function (store) {
    store.delete(clientUuid);
  });
}

/* The owner's entries as every tab has left them, oldest first (after this tab's writes). */
export function list() {
  return writing.then(function () {
    return database ? readAll(owner) : legacyEntries();
  });
}

/* A notice for the patient ({client_uuid, ...}): kept, or replaced in its place. */
export function keepNotice(notice) {
  return putAs(noticeOwner(), notice);
}

/* The patient has acted on the notice (sent its words, or removed it): it goes. */
export function dropNotice(clientUuid) {
  return dropAs(noticeOwner(), clientUuid);
}

/* The patient's notices, oldest first. */
export function notices() {
  return writing.then(function () {
    return database ? readAll(noticeOwner()) : legacyEntries(noticeKey());
  });
}

export function add(entry) {
  return put(entry).then(list);
}

export function remove(clientUuid) {
  return drop(clientUuid).then(list);
}

/* A check-in or ATRS entry to the API (transport.js). Never rejects: "retry" keeps it for
   later (no connection, a server error, a stale sign-in), "refused" is the server's 400 or 404. */
export function sendRecord(entry) {
  return send("POST", entry.url, entry.data);
}

/* A client UUID for a new entry (the server's idempotency key). */
export function uuid4() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  // randomUUID needs a secure context; getRandomValues does not.
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  var hex = Array.prototype.map
    .call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    })
    .join("");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
}

/* Read ``who``'s entries (the patient's id), moving any an earlier version kept in
   localStorage into IndexedDB once. */
export function open(who) {
  owner = String(who);
  return openDatabase().then(function (db) {
    database = db;
    if (!database) {
      return legacyEntries();
    }
    var legacy = legacyEntries();
    return readAll(owner).then(function (entries) {
      if (!legacy.length) {
        return entries;
      }
      var known = {};
      entries.forEach(function (entry) {
        known[entry.client_uuid] = true;
      });
      return Promise.all(legacy.filter(function (entry) {
        return !known[entry.client_uuid];
      }).map(put)).then(
        function () {
          window.localStorage.removeItem(legacyKey());
          return list();
        },
        function () {
          // Not all moved: they stay in localStorage too, to move on the next opening.
          return list().then(function (stored) {
            return stored.concat(legacy.filter(function (entry) {
              return !stored.some(function (row) {
                return row.client_uuid === entry.client_uuid;
              });
            }));
          });
        }
      );
    });
  });
}

/* Client UUIDs with an operation on the outbox (a write, a removal) not finished yet, counted
   per entry: has(uuid) until the last one begun has ended (today/queue.js: a read that began
   before such an operation ended has the entry as it was). */
export function inProgress() {
  const running = new Map(); // client UUID -> how many have begun and not ended
  return {
    begin: (uuid) => running.set(uuid, (running.get(uuid) || 0) + 1),
    end: (uuid) => {
      if (running.get(uuid) > 1) {
        running.set(uuid, running.get(uuid) - 1); // another one of it still runs
      } else {
        running.delete(uuid);
      }
    },
    has: (uuid) => running.has(uuid),
  };
}
