/*
 * Today's use of the offline outbox (outbox.js, IndexedDB): ticks the server has not taken yet
 * [{client_uuid, prescription, name, sets_done, date, pain, effort, note, note_uuid}] (the last
 * once the tick goes to the clinic as a note, see keepAsNote), with the check-in
 * and ATRS answers kept on the phone (records.js: a ``kind``), oldest first. A copy is kept in
 * memory; every change is written through entry by entry, and the outbox is read again before
 * each send, so two tabs of the app never drop each other's entries.
 *
 * They are sent one at a time, in order, on opening the page, on the "online" event, on
 * returning to the app, when the service worker's Background Sync asks, and every 30 seconds
 * while any wait. A tick goes to the API (today/logs.js); the API answers a repeated client
 * UUID with the row it stored, and if the queued entry has more sets or another pain, effort
 * or note, an update follows (same day only). A tick refused because its exercise left the
 * plan goes to the clinic as a message in the patient's words, through the API
 * (POST /api/v1/messages/, with a client UUID of its own kept with the entry: sent again, it is
 * not stored twice); only the API's success counts as sent. No connection: tried again later;
 * refused (400 or 404): the patient is told it was not sent, with its words to send
 * themselves, and the entry leaves the queue. Either way its card says the exercise left the
 * plan (hooks.removed). Any other refusal of a tick is said on its card, in plain words, and
 * the entry leaves the queue.
 *
 * A tick its card sends at once (today/cards.js) is held here too, from before it is sent
 * until the server answers (hold, release): a page closed, or a connection lost, while it is on
 * its way leaves it in the outbox, sent again on the next opening and stored once (its client
 * UUID). While it is on its way the queue never sends it (never twice at once) nor counts it
 * as waiting; answered, it leaves the outbox, unless it changed meanwhile (another set, pain):
 * then the queue sends what changed.
 *
 * A tick the patient undoes before the server has it leaves the outbox (undo). A read of the
 * outbox that began before a write or a removal of this tab had ended has the entry as it was:
 * this tab's own copy wins (what it is writing), and an entry it is removing stays gone, so
 * an undone tick is never brought back and sent. Undone while the queue's own send of it is
 * on its way, it is undone on the server (DELETE) once the answer says it was stored, or, the
 * answer lost, once the server is asked for it by its client UUID (logs.js undoByClientUuid);
 * an undo the server did not take is said on its card, the tick shown again (notUndone).
 *
 * The status says an entry waits only once its write to the outbox has completed; a write that
 * failed (the phone's storage full, IndexedDB closed) is said as not saved on this phone: the
 * entry stays in memory and is sent while the page stays open (upsert resolves to whether it
 * was kept, for the card's own words).
 *
 * A note the API refused is kept on this phone and shown until the patient acts on it
 * (today/notices.js).
 */
import { fmt } from "../common.js";
import { drop, inProgress, list, open, put, sendRecord, uuid4 } from "../outbox.js";
import { reasonOf } from "../transport.js";
import { createLog, undoByClientUuid, undoLog, updateLog, value } from "./logs.js";
import { createNotices } from "./notices.js";

/* ``config``: #today-config (patient, logsUrl, messagesUrl: both the API's, strings).
   ``hooks``: today() the patient's date; stored(clientUuid, row) a queued tick reached the
   server; current(entry) a queued tick as the API takes it now (an earlier version's, its
   prescription a number, named by its card's opaque id); refused(entry, reason) the server
   will never take it; removed(entry, noteSent) its
   exercise left the plan (the note sent to the clinic, or not); notUndone(entry, row, result)
   a tick undone while the queue sent it was stored (``row``) and the server did not take its
   undo (transport.js's result); opened() the outbox was read
   (the memory holds it); settled() a send found nothing more waiting (all sent). */
export function createQueue(config, hooks) {
  const S = config.strings;
  const status = document.getElementById("queue-status");
  const notes = document.getElementById("queue-notes");
  let memory = [];
  let sentSomething = false;
  let flushing = false;
  const writingNow = inProgress(); // entries with a write to the outbox not finished yet
  const notKept = new Set(); // client UUIDs whose last write to the outbox failed (memory only)
  const onItsWay = new Map(); // client UUID -> a tick its card is sending (hold), as held
  const removing = inProgress(); // entries with a removal from the outbox not finished yet
  const undoneNow = new Set(); // client UUIDs undone while the queue was sending them
  let sendingNow = null; // the client UUID of the tick the queue is sending
  // Notes for the clinic the API refused, kept on the phone and shown (#queue-notes).
  const kept = createNotices(config, say, (entry, noteSent) => hooks.removed(entry, noteSent));

  function entries() {
    return memory.map((item) => Object.assign({}, item));
  }


  /* Where the browser has Background Sync (not Safari or Firefox), the service worker asks an
     open page to send the outbox when the connection is back; elsewhere the page's own
     triggers (online, returning to the app, opening it, every 30 seconds) are enough. */
  function askForBackgroundSync() {
    if (!("serviceWorker" in navigator) || !window.SyncManager) {
      return;
    }
    navigator.serviceWorker.ready
      .then((registration) => registration.sync && registration.sync.register("rehab-outbox"))
      .catch(() => {
        /* refused (no permission): the other triggers remain */
      });
  }

  /* Add ``entry``, or merge it into the queued entry with its client UUID; written through
     as that one entry (another tab's entries stay as they are). Resolves, once the write has
     ended, to whether it is kept on the phone; only then does the status say it waits (a write
     that failed: that it is not saved on this phone, and is sent while the page stays open). */
  function upsert(entry) {
    const found = memory.find((item) => item.client_uuid === entry.client_uuid);
    if (found) {
      Object.assign(found, entry);
    } else {
      memory.push(Object.assign({}, entry));
    }
    const uuid = entry.client_uuid;
    writingNow.begin(uuid);
    const written = put(Object.assign({}, found || entry)).then(
      () => true,
      () => false
    );
    askForBackgroundSync();
    return written.then((kept) => {
      writingNow.end(uuid);
      if (kept) {
        notKept.delete(uuid);
      } else if (has(uuid)) {
        notKept.add(uuid);
      }
      show();
      return kept;
    });
  }

  /* A tick its card is about to send: in the outbox before it goes (resolves once the write
     has ended, to whether it is kept: sent either way),
     left alone by the queue until its card has the answer (release). */
  function hold(entry) {
    onItsWay.set(entry.client_uuid, Object.assign({}, entry));
    return upsert(entry);
  }

  const SENT_AS = ["prescription", "sets_done", "date", "pain", "effort", "note"];

  /* The card has the server's answer to a held tick (``answered``: stored, or refused for
     good) or none (no connection: it stays for the queue, as any tick made offline). Answered
     and unchanged since it was held, it leaves the outbox; changed meanwhile, the queue sends
     the change. */
  function release(clientUuid, answered) {
    const held = onItsWay.get(clientUuid);
    onItsWay.delete(clientUuid);
    const found = memory.find((item) => item.client_uuid === clientUuid);
    if (!answered || !held) {
      show();
      return;
    }
    if (found && SENT_AS.some((key) => String(found[key]) !== String(held[key]))) {
      show();
    } else if (found) {
      remove(clientUuid);
    }
    flush(); // the connection works: whatever else waits goes now (or nothing waits: settled)
  }

  function remove(clientUuid) {
    memory = memory.filter((item) => item.client_uuid !== clientUuid);
    notKept.delete(clientUuid);
    // Sent (or refused for good): the server has its answer, whether or not the phone's copy
    // is gone yet (one left behind is sent again on the next opening, and stored once). Until
    // it is gone, a read of the outbox that began before still has it: left out (flush).
    removing.begin(clientUuid);
    const ended = () => removing.end(clientUuid);
    drop(clientUuid).then(ended, ended);
    show();
  }

  /* The patient undid a tick (or a change of it) waiting in the outbox: it leaves the queue;
     one the queue is sending at this moment is undone on the server once its answer says it
     was stored (sendQueuedTick). */
  function undo(clientUuid) {
    if (sendingNow === clientUuid) {
      undoneNow.add(clientUuid);
    }
    remove(clientUuid);
  }

  function has(clientUuid) {
    return memory.some((item) => item.client_uuid === clientUuid);
  }

  /* Whether a waiting tick was sent and its answer lost (``maybe_stored``, kept with it in
     the outbox): the server may have it, so undoing it means undoing it there too
     (today/cards.js). */
  function mayBeStored(clientUuid) {
    return memory.some((item) => item.client_uuid === clientUuid && item.maybe_stored);
  }

  function markMaybeStored(clientUuid) {
    const found = memory.find((item) => item.client_uuid === clientUuid);
    if (found && !found.maybe_stored) {
      upsert(Object.assign({}, found, { maybe_stored: true }));
    }
  }

  function say(text, tone) {
    if (status) {
      status.className = "rehab-queue" + (tone ? " alert alert-" + tone : "");
      status.textContent = text;
    }
  }

  function show() {
    if (memory.some((item) => notKept.has(item.client_uuid))) {
      say(S.notKept, "danger");
      return;
    }
    const count = memory.filter((item) => !onItsWay.has(item.client_uuid)).length;
    if (count) {
      say(count === 1 ? S.queued_one : fmt(S.queued_many, { n: count }), "warning");
    } else if (sentSomething) {
      say(S.sent, "success");
    } else {
      say("", "");
    }
  }

  /* Stopped until the next trigger: the entry stays first in the queue. */
  function pause() {
    flushing = false;
    show();
  }

  function next() {
    flushing = false;
    flush();
  }

  /* Send the oldest entry, then the next. The outbox is read again first: another tab (or the
     check-in page) may have queued or sent entries meanwhile. */
  function flush() {
    if (flushing || navigator.onLine === false) {
      return;
    }
    flushing = true;
    const before = memory.length;
    list()
      .catch(() => null)
      .then((stored) => {
        if (stored) {
          // The outbox as every tab left it, except this tab's own copy of what it is writing
          // at this moment and of what the phone could not keep (sent from memory while the
          // page stays open): newer than the outbox's. A read that began before a write (a
          // send that began as the patient saved pain on a tick on its way) has the entry as
          // it was; taking that copy dropped the change, the tick's answer found nothing
          // changed, and the change was never sent.
          // Likewise an entry this tab is removing (sent, or undone by the patient) is gone,
          // whatever a read that began before its removal has: taking that copy brought an
          // undone tick back, and the send stored what the patient said they did not do.
          const mine = memory.filter(
            (item) => writingNow.has(item.client_uuid) || notKept.has(item.client_uuid)
          );
          const own = (row) => mine.find((item) => item.client_uuid === row.client_uuid);
          memory = stored
            .filter((row) => own(row) || !removing.has(row.client_uuid))
            .map((row) => own(row) || row)
            .concat(mine.filter((item) => !stored.some((row) => row.client_uuid === item.client_uuid)));
        }
        if (!memory.length) {
          flushing = false;
          if (before) {
            show(); // another tab sent what this one showed waiting
          }
          if (hooks.settled) {
            hooks.settled();
          }
          return; // nothing waits: what the page says stays as it is
        }
        const entry = entries().find((item) => !onItsWay.has(item.client_uuid));
        if (!entry) {
          pause(); // only ticks on their way: their cards have them
          return;
        }
        if (entry.kind) {
          sendQueuedRecord(entry);
        } else {
          sendQueuedTick(entry);
        }
      });
  }

  function sendQueuedTick(entry) {
    sendingNow = entry.client_uuid;
    createLog(config.logsUrl, hooks.current ? hooks.current(entry) : entry).then((result) => {
      sendingNow = null;
      if (undoneNow.delete(entry.client_uuid)) {
        undoStored(entry, result);
        return;
      }
      if (result.kind === "retry") {
        if (!result.unsent) {
          markMaybeStored(entry.client_uuid);
        }
        pause();
        return;
      }
      if (result.kind === "refused" && result.json && result.json.prescription) {
        keepAsNote(entry);
        return;
      }
      if (result.kind === "refused") {
        remove(entry.client_uuid);
        hooks.refused(entry, reasonOf(result));
        next();
        return;
      }
      const stored = result.json;
      hooks.stored(entry.client_uuid, stored);
      const changes = changesFor(entry, stored);
      if (!Object.keys(changes).length || stored.date !== hooks.today()) {
        sent(entry);
        return;
      }
      updateLog(config.logsUrl, stored.id, changes).then((update) => {
        if (update.kind === "retry") {
          pause();
          return;
        }
        sent(entry);
      });
    });
  }

  /* A tick the patient undid while the queue was sending it: stored after all, it is undone on
     the server too (DELETE); not undone (no connection, or refused), its card says so and shows
     the tick again (hooks.notUndone), to be undone again. */
  function undoStored(entry, result) {
    if (result.kind === "retry" && !result.unsent) {
      undoMaybeStored(entry); // no answer: the server may have it all the same
      return;
    }
    if (result.kind === "retry") {
      pause(); // it never left the phone: the entry left the outbox with the undo
      return;
    }
    if (result.kind !== "ok") {
      next(); // refused: not stored
      return;
    }
    undoLog(config.logsUrl, result.json.id).then((undone) => {
      if (undone.kind !== "ok" && hooks.notUndone) {
        hooks.notUndone(entry, result.json, undone);
      }
      next();
    });
  }

  /* The same, its send's answer lost: the row the server has for it is undone. With no
     answer to that either, it goes back to the outbox (it may be stored: maybe_stored) and
     its card shows it again, saying it is not undone. */
  function undoMaybeStored(entry) {
    undoByClientUuid(config.logsUrl, entry.client_uuid).then(({ row, result }) => {
      if (result.kind === "ok") {
        next();
        return;
      }
      if (!row && result.kind === "retry") {
        upsert(Object.assign({}, entry, { maybe_stored: true }));
      }
      if (hooks.notUndone) {
        hooks.notUndone(entry, row || { id: null, date: entry.date, sets_done: entry.sets_done }, result);
      }
      pause();
    });
  }

  function sent(entry) {
    sentSomething = true;
    remove(entry.client_uuid);
    next();
  }

  /* What the queued entry says that the stored row does not: more sets, another pain, effort
     or note (made on the phone after the first try reached the server). */
  function changesFor(entry, stored) {
    const changes = {};
    if (Number(entry.sets_done) > stored.sets_done) {
      changes.sets_done = entry.sets_done;
    }
    ["pain", "effort", "note"].forEach((key) => {
      const given = value(key, entry[key]);
      if (given !== undefined && !(key === "note" && given === null) && given !== stored[key]) {
        changes[key] = given;
      }
    });
    return changes;
  }

  /* A queued tick the server refused because its exercise left the plan meanwhile (the
     clinician removed it): nothing is lost silently; it goes to the clinic as a message in
     the patient's words. Kept in the queue, and tried again later, until the API has taken
     it; refused by the API, the patient is told, with the words to send themselves. */
  function keepAsNote(entry) {
    noteUuid(entry).then((uuid) =>
      kept.sendAsNote(entry, uuid).then((result) => {
        if (result.kind === "retry") {
          pause();
          return;
        }
        remove(entry.client_uuid);
        if (result.kind === "ok") {
          say(fmt(S.keptAsNote, { name: entry.name || "" }), "info");
        } else {
          kept.noteNotSent(entry, uuid, reasonOf(result));
        }
        hooks.removed(entry, result.kind === "ok");
        next();
      })
    );
  }

  /* The note's client UUID (the server's idempotency key for messages): made once, and kept
     with the entry in the outbox before the first try, so that a try whose answer was lost
     is sent again with the same one and the server finds the message it stored. */
  function noteUuid(entry) {
    if (entry.note_uuid) {
      return Promise.resolve(entry.note_uuid);
    }
    const uuid = uuid4();
    const found = memory.find((item) => item.client_uuid === entry.client_uuid);
    if (found) {
      found.note_uuid = uuid;
    }
    // Not kept (the write failed): sent with it all the same, rather than never.
    return put(Object.assign({}, found || entry, { note_uuid: uuid })).then(
      () => uuid,
      () => uuid
    );
  }

  /* A check-in or ATRS answer kept on the phone (records.js): to the API, in its turn. */
  function sendQueuedRecord(entry) {
    sendRecord(entry).then((result) => {
      if (result.kind === "retry") {
        pause();
        return;
      }
      sentSomething = true;
      remove(entry.client_uuid);
      if (result.kind === "refused") {
        say(fmt(S.recordRefused, { what: entry.what, date: entry.date, reason: reasonOf(result) }), "danger");
      }
      next();
    });
  }

  /* Opening the app: read the outbox, show what waits, send it; then the other triggers. */
  function start() {
    open(config.patient)
      .catch(() => [])
      .then((stored) => {
        // A tick made in the moment before the outbox was read joins the entries read.
        const early = memory.filter((item) => !stored.some((entry) => entry.client_uuid === item.client_uuid));
        memory = stored.concat(early);
        early.forEach((item) => upsert(item));
        hooks.opened();
        show();
        kept.showKeptNotices();
        flush();
      });
    window.addEventListener("online", flush);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") {
        flush();
      }
    });
    if (navigator.serviceWorker) {
      navigator.serviceWorker.addEventListener("message", (event) => {
        if (event.data && event.data.type === "flush-outbox") {
          flush();
        }
      });
    }
    // Every 30 seconds: this tab's entries, or another tab's it reads from the outbox.
    window.setInterval(flush, 30000);
  }

  /* Whether any entry waits to be sent. */
  function waiting() {
    return memory.length > 0;
  }

  return { entries, upsert, hold, release, remove, undo, has, mayBeStored, flush, start, waiting };
}
