/*
 * Today's exercise cards: their state and what they show. A tap ticks one set (or the whole
 * session) at once on the card, without a reload; the tick goes to the API (today/logs.js)
 * with a client-made UUID (outbox.js's uuid4), so a tick sent twice is stored once. It is in
 * the outbox (today/queue.js: hold, release) from before it is sent until the server answers:
 * with no connection, or the page closed while it was on its way, it waits there (sent again
 * later) and the card still shows it.
 *
 * A card's state: ``sessions`` ticked today, ``last`` (the latest tick: pain, effort and undo
 * act on it) and ``open`` (a session with sets still to do: the next set goes into it). Each
 * tick is {uuid, id (the server's, once stored), sets, date}. Ids are the API's opaque strings
 * (``data-rx``: the prescription's, the card's element ids are made from it), never numbers.
 *
 * A card whose exercise left the plan before its queued tick was sent (today/queue.js turns
 * that tick into a note for the clinic) is ``removed``: it says so in plain words, whether the
 * clinic got the note, and offers nothing to tick or undo (the server would refuse it).
 *
 * The guided session (today/session.js) ticks through the same functions (sessionApi()). A
 * card's pain, effort and undo forms: today/feedback.js.
 */
import { fmt } from "../common.js";
import { uuid4 } from "../outbox.js";
import { reasonOf } from "../transport.js";
import { addForms, bindForms } from "./feedback.js";
import { createLog, undoByClientUuid, undoLog, updateLog } from "./logs.js";

/* ``config``: #today-config; ``queue``: today/queue.js; ``today()``: the patient's date. */
export function createCards(config, queue, today) {
  const S = config.strings;
  const cards = [];
  // What a card's pain, effort and undo forms do (today/feedback.js).
  const formActions = {
    feedback: (card, changes) => update(card, card.last, changes),
    undo: (card) => undo(card),
  };

  /* The card of a queued tick. A version of the page before the API named rows by opaque ids
     kept a tick's prescription as its number: such a tick finds its card by the exercise's
     name, if exactly one card has it. */
  function cardFor(entry) {
    if (typeof entry.prescription === "number") {
      const named = cards.filter((card) => entry.name && nameOf(card) === entry.name);
      return named.length === 1 ? named[0] : undefined;
    }
    return cards.find((card) => card.rx === entry.prescription);
  }

  /* A queued tick as the API takes it now: one kept by an earlier version (its prescription a
     number) names its card's prescription instead, if its card is found; else it goes as it is
     and the API refuses it (today/queue.js then sends it to the clinic as a note). */
  function current(entry) {
    if (typeof entry.prescription !== "number") {
      return entry;
    }
    const card = cardFor(entry);
    return card ? Object.assign({}, entry, { prescription: card.rx }) : entry;
  }

  function nameOf(card) {
    const name = card.el.querySelector("#rx-" + card.rx + "-name");
    return name ? name.textContent.trim() : "";
  }

  /* Which leg, in the card's words ("Left leg (your injured side)"). */
  function legOf(card) {
    const leg = card.el.querySelector("[data-role=leg]");
    return leg ? leg.textContent.trim() : "";
  }

  function say(card, text) {
    const message = card.el.querySelector("[data-role=message]");
    if (message) {
      message.textContent = text;
    }
  }

  function isDone(card) {
    return card.sessions >= Math.max(card.times, 1) && !card.open;
  }

  function render(card) {
    if (card.removed) {
      renderRemoved(card);
      return;
    }
    const done = isDone(card);
    const shown = card.open ? card.open.sets : done && card.last ? card.last.sets : 0;
    const setsText = card.el.querySelector("[data-role=sets-text]");
    const sessionsText = card.el.querySelector("[data-role=sessions-text]");
    if (setsText) {
      // Sets are counted when there are several (as the server draws the card): one set is
      // done or not, which the badge (and the sessions line, several a day) say.
      setsText.textContent = card.sets > 1 ? fmt(S.setsDone, { done: shown, sets: card.sets }) : "";
    }
    if (sessionsText) {
      // Sessions are counted when there are several a day (as the server draws the card): an
      // exercise done once a day is done or not, which the badge says ("0 of 1" is no one's
      // words), and a tick beyond the prescription is not counted up as if it were asked for:
      // "3 of 3" and the badge, never "4 of 3" (TodayItem.sessions_shown, as the server draws it).
      const counted = Math.min(card.sessions, card.times);
      sessionsText.textContent =
        card.times > 1 ? fmt(S.sessionsDone, { done: counted, times: card.times }) : "";
    }
    card.el.dataset.sessions = String(card.sessions); // the count, as the server wrote it
    card.el.classList.toggle("is-done", done);
    const badge = card.el.querySelector("[data-role=done-badge]");
    if (badge) {
      badge.hidden = !done;
    }
    ["tick", "start"].forEach((role) => {
      const part = card.el.querySelector("[data-role=" + role + "]");
      if (part) {
        part.hidden = done;
      }
    });
    if (card.last) {
      addForms(card, () => fmt(S.undoOf, { name: nameOf(card) }), formActions);
    }
    ["feedback", "undo"].forEach((role) => {
      const form = card.el.querySelector("[data-role=" + role + "]");
      if (form) {
        form.hidden = !card.last;
      }
    });
  }

  /* No longer in the plan: not done, nothing to tap; its words instead of the counts. */
  function renderRemoved(card) {
    card.el.classList.remove("is-done");
    card.el.classList.add("is-removed");
    ["sets-text", "sessions-text", "done-badge", "tick", "start", "feedback", "undo"].forEach((role) => {
      const part = card.el.querySelector("[data-role=" + role + "]");
      if (part) {
        part.hidden = true;
      }
    });
    say(card, S.removedFromPlan + " " + (card.noteSent ? S.removedNoteSent : S.removedNoteNotSent));
  }

  /* What the queue keeps of a tick (and of changes made to it before it was sent). */
  function queueEntry(card, entry, extra) {
    return Object.assign(
      { client_uuid: entry.uuid, prescription: card.rx, name: nameOf(card), sets_done: entry.sets, date: entry.date },
      extra || {}
    );
  }

  /* Pain of 7 or more comes back with advice (stop this exercise, contact the clinic), said
     at once instead of "Saved." */
  function adviceOr(result, otherwise) {
    return (result.json && result.json.advice) || otherwise;
  }

  /* A new tick: into the outbox first (today/queue.js hold), then to the API; it leaves the
     outbox once the server has answered (release), so a page closed while it is on its way
     leaves it to be sent again (stored once: its client UUID). */
  function create(card, entry) {
    entry.sending = true;
    queue
      .hold(queueEntry(card, entry))
      .then(() => {
        if (entry.undone) {
          return { kind: "undone" }; // undone before it went: nothing to send
        }
        return createLog(config.logsUrl, queueEntry(card, entry));
      })
      .then((result) => answered(card, entry, result));
  }

  /* The server's answer to a new tick (or none: ``retry``; or it was undone before it went). */
  function answered(card, entry, result) {
    entry.sending = false;
    queue.release(entry.uuid, result.kind === "ok" || result.kind === "refused");
    if (result.kind === "undone") {
      return;
    }
    if (entry.undone) {
      // Undone while on its way: stored after all, it is undone on the server too.
      if (result.kind === "ok") {
        undoLog(config.logsUrl, result.json.id).then((undone) => {
          if (undone.kind !== "ok") {
            notUndone(queueEntry(card, entry), result.json, undone);
          }
        });
      }
      return;
    }
    if (result.kind === "ok") {
      entry.id = result.json.id;
      if (entry.sets > result.json.sets_done) {
        // Another set was ticked while the first request was on its way.
        update(card, entry, { sets_done: entry.sets });
      }
      say(card, adviceOr(result, S.saved));
    } else if (result.kind === "retry") {
      // Said once the outbox has it (or could not keep it), never before. Sent, its answer
      // lost: the server may have it (undone there too: undoOnServer).
      const maybe = result.unsent ? {} : { maybe_stored: true };
      queue.upsert(queueEntry(card, entry, maybe)).then((kept) => say(card, kept ? S.offline : S.notKept));
    } else {
      queue.remove(entry.uuid);
      revert(card, entry);
      say(card, fmt(S.refused, { reason: reasonOf(result) }));
    }
    render(card);
  }

  function update(card, entry, changes) {
    if (!entry.id || queue.has(entry.uuid)) {
      queue.upsert(queueEntry(card, entry, changes));
      queue.flush();
      return;
    }
    // In the outbox until the server has the change, as a new tick (create): a page closed
    // while it is on its way leaves it to be sent again.
    queue
      .hold(queueEntry(card, entry, changes))
      .then(() =>
        queue.has(entry.uuid) ? updateLog(config.logsUrl, entry.id, changes) : { kind: "undone" }
      )
      .then((result) => changed(card, entry, changes, result));
  }

  /* The server's answer to a change of a stored tick (or none: ``retry``; or the tick was
     undone before the change went). */
  function changed(card, entry, changes, result) {
    queue.release(entry.uuid, result.kind === "ok" || result.kind === "refused");
    if (entry.undone) {
      // Undone on the server meanwhile: a change that did not get through is not kept for
      // later (the queue would store the tick again), nor a refusal said.
      return;
    }
    if (result.kind === "ok") {
      say(card, adviceOr(result, S.saved));
    } else if (result.kind === "retry") {
      queue
        .upsert(queueEntry(card, entry, changes))
        .then((kept) => say(card, kept ? S.offline : S.notKept));
    } else if (result.kind === "refused") {
      say(card, fmt(S.refused, { reason: reasonOf(result) }));
    }
  }

  function undo(card) {
    const entry = card.last;
    if (!entry) {
      return;
    }
    if (!entry.id && !entry.sending && queue.mayBeStored(entry.uuid)) {
      undoOnServer(card, entry);
      return;
    }
    if (!entry.id || queue.has(entry.uuid)) {
      // Never reached the server (or only partly): forgetting it here is enough,
      // unless it has an id, in which case the server copy is undone too (or the queue is
      // sending it at this moment: undone on the server once its answer comes, queue.undo).
      queue.undo(entry.uuid);
      if (!entry.id) {
        entry.undone = entry.sending; // on its way: undone when its answer comes (create)
        revert(card, entry);
        say(card, S.undone);
        return;
      }
    }
    undoLog(config.logsUrl, entry.id).then((result) => {
      if (result.kind === "ok") {
        entry.undone = true;
        if (queue.has(entry.uuid)) {
          queue.undo(entry.uuid); // a change put back in the outbox meanwhile (changed) goes
        }
        revert(card, entry);
        say(card, S.undone);
      } else if (result.kind === "retry") {
        say(card, S.undoOffline);
      } else {
        say(card, fmt(S.refused, { reason: reasonOf(result) }));
      }
    });
  }

  /* Undo a tick the server may have though the phone has not its id (sent, its answer lost):
     forgetting it here would leave it stored. The server is asked for it (its client UUID)
     and the row it has undone; held meanwhile, so the queue does not send it behind the undo.
     Until the server is known not to have it, the tick stays shown and in the outbox, and the
     card says the undo did not get through. */
  function undoOnServer(card, entry) {
    queue
      .hold(queueEntry(card, entry))
      .then(() => undoByClientUuid(config.logsUrl, entry.uuid))
      .then(({ row, result }) => {
        queue.release(entry.uuid, false);
        if (result.kind === "ok") {
          entry.undone = true;
          queue.undo(entry.uuid);
          revert(card, entry);
          say(card, S.undone);
          return;
        }
        if (row) {
          entry.id = row.id; // stored: undone again by its id, as any stored tick
        }
        say(card, result.kind === "retry" ? S.undoOffline : fmt(S.refused, { reason: reasonOf(result) }));
      });
  }

  function revert(card, entry) {
    card.sessions = Math.max(0, card.sessions - 1);
    if (card.open === entry) {
      card.open = null;
    }
    if (card.last === entry) {
      card.last = null;
    }
    render(card);
  }

  /* A card drawn on another day (the page left open overnight, or its copy kept on the
     phone): its ticks are that day's, so today starts with none. */
  function toToday(card) {
    const day = today();
    if (card.day !== day) {
      card.day = day;
      card.sessions = 0;
      card.open = null;
      card.last = null;
    }
  }

  /* One tap: one set (``all`` false) or the whole session. */
  function tick(card, all) {
    toToday(card);
    if (card.open) {
      const entry = card.open;
      entry.sets = all ? card.sets : Math.min(entry.sets + 1, card.sets);
      if (entry.sets >= card.sets) {
        card.open = null;
      }
      render(card);
      update(card, entry, { sets_done: entry.sets });
      return;
    }
    const fresh = { uuid: uuid4(), id: null, sets: all ? card.sets : 1, date: today() };
    card.sessions += 1;
    card.last = fresh;
    if (fresh.sets < card.sets) {
      card.open = fresh;
    }
    render(card);
    create(card, fresh);
  }

  /* A card as the server drew it: its prescription, dose and today's ticks (data-*). */
  function setupCard(element) {
    const data = element.dataset;
    const card = {
      el: element,
      rx: data.rx,
      sets: Number(data.sets) || 1,
      times: Number(data.times) || 1,
      reps: data.reps ? Number(data.reps) : 0,
      hold: data.hold ? Number(data.hold) : 0,
      minutes: data.minutes ? Number(data.minutes) : 0,
      sessions: Number(data.sessions) || 0,
      open: null,
      last: null,
      day: config.today, // the day its ticks (sessions, open, last) are of
    };
    if (data.lastUuid) {
      card.last = { uuid: data.lastUuid, id: data.lastId, sets: Number(data.lastSets) || 0, date: config.today };
    }
    if (data.openUuid) {
      card.open = card.last && card.last.uuid === data.openUuid ? card.last : null;
      if (!card.open) {
        card.open = { uuid: data.openUuid, id: data.openId, sets: Number(data.openSets) || 0, date: config.today };
      }
    }
    element.querySelector("[data-role=tick]").addEventListener("submit", (event) => {
      event.preventDefault();
      const submitter = event.submitter;
      tick(card, !submitter || submitter.dataset.action === "all");
    });
    bindForms(card, formActions);
    cards.push(card);
  }

  /* Ticks still waiting in the queue show as ticked after a reload. */
  function applyQueued() {
    const day = today();
    cards.forEach(toToday);
    queue.entries().forEach((item) => {
      const card = cardFor(item);
      if (!card || item.date !== day) {
        return;
      }
      const known = [card.open, card.last].find((entry) => entry && entry.uuid === item.client_uuid);
      if (known) {
        known.sets = Math.max(known.sets, Number(item.sets_done) || 0);
        if (card.open === known && known.sets >= card.sets) {
          card.open = null;
        }
      } else {
        const entry = { uuid: item.client_uuid, id: null, sets: Number(item.sets_done) || 1, date: item.date };
        card.sessions += 1;
        card.last = entry;
        card.open = entry.sets < card.sets ? entry : null;
      }
    });
    cards.forEach(render);
  }

  /* A queued tick reached the server: remember its id so pain, effort and undo can use it. */
  function linkStored(clientUuid, stored) {
    cards.forEach((card) => {
      [card.open, card.last].forEach((entry) => {
        if (entry && entry.uuid === clientUuid) {
          entry.id = stored.id;
        }
      });
      render(card);
    });
  }

  /* A tick undone while it was on its way was stored after all, and the server did not take
     its undo (no connection, or refused): its card shows it again, with its id (the
     server's ``row``), and says it is not undone, so the patient can undo it again. */
  function notUndone(entry, row, result) {
    const card = cardFor(entry);
    if (!card || (result.kind === "refused" && result.status === 404)) {
      return; // 404: no such tick on the server (undone already, by another undo of it)
    }
    toToday(card);
    if (row.date === card.day && !(card.last && card.last.uuid === entry.client_uuid)) {
      card.sessions += 1;
      card.last = { uuid: entry.client_uuid, id: row.id, sets: row.sets_done, date: row.date };
      if (card.last.sets < card.sets && !card.open) {
        card.open = card.last;
      }
    }
    render(card);
    say(card, result.kind === "retry" ? S.undoOffline : fmt(S.refused, { reason: reasonOf(result) }));
  }

  /* A queued tick's exercise left the plan: its card says so (the note for the clinic sent,
     ``noteSent``, or not: one not sent is what the card says if there are both). */
  function removed(entry, noteSent) {
    const card = cardFor(entry);
    if (card) {
      card.noteSent = card.removed ? card.noteSent && noteSent : noteSent;
      card.removed = true;
      render(card);
    }
  }

  /* A queued tick the server refused: said on its card. */
  function refused(entry, reason) {
    const card = cardFor(entry);
    if (card) {
      say(card, fmt(S.refused, { reason }));
    }
  }

  document.querySelectorAll(".rehab-card[data-rx]").forEach(setupCard);

  /* What the guided session uses: the same ticks as the card's buttons. */
  function sessionApi() {
    return {
      cards: () => {
        cards.forEach((card) => {
          toToday(card);
          render(card);
        });
        return cards.filter((card) => !card.removed);
      },
      isDone,
      nameOf,
      legOf,
      /* One set done. */
      tick: (card) => tick(card, false),
      /* Pain and effort of the card's last tick (only the answered ones). */
      feedback: (card, changes) => {
        if (card.last) {
          update(card, card.last, changes);
        }
      },
    };
  }

  return { applyQueued, current, linkStored, notUndone, refused, removed, sessionApi };
}
