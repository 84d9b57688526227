/*
 * Notes for the clinic that the API refused (today/queue.js sends a tick of an exercise that
 * left the plan as a message in the patient's words): nothing is lost silently.
 *
 * A note the API refused is kept on this phone (outbox.js's notices, never sent anywhere else)
 * and shown in #queue-notes on each opening of Today, with its words, until the patient sends
 * it from there ("Send it to my clinic again": the API again, with the note's client UUID) or
 * removes it.
 */
import { fmt } from "../common.js";
import { dropNotice, keepNotice, notices } from "../outbox.js";
import { reasonOf, send } from "../transport.js";

/* ``config``: #today-config (messagesUrl, strings); ``say(text, tone)``: the queue's status
   line; ``removed(entry, noteSent)``: a tick's exercise left the plan (its card says so). */
export function createNotices(config, say, removed) {
  const S = config.strings;
  const notes = document.getElementById("queue-notes");

  /* The words of the note for a removed exercise's tick. */
  function noteText(entry) {
    return fmt(S.noteToClinic, { name: entry.name || "?", sets: entry.sets_done, date: entry.date });
  }

  /* A note the clinic will never get this way: kept on this phone as a notice (its words, and
     the server's reason) and shown where it stays until the patient acts on it. */
  function noteNotSent(entry, uuid, reason) {
    const notice = {
      client_uuid: uuid,
      prescription: entry.prescription,
      name: entry.name || "",
      sets_done: entry.sets_done,
      date: entry.date,
      reason,
    };
    keepNotice(notice).catch(() => undefined); // not kept: shown on this opening only
    showNotice(notice);
  }

  /* A kept notice in #queue-notes (the status line is written over as the queue goes on): its
     words, a button to send them again and one to remove it. */
  function showNotice(notice) {
    if (!notes) {
      say(noticeText(notice), "danger");
      return;
    }
    let box = Array.from(notes.children).find((child) => child.dataset.notice === notice.client_uuid);
    if (!box) {
      box = document.createElement("div");
      box.className = "alert alert-danger";
      box.setAttribute("role", "alert");
      box.dataset.notice = notice.client_uuid;
      const words = document.createElement("p");
      words.dataset.role = "words";
      const actions = document.createElement("div");
      actions.className = "d-flex flex-wrap gap-2";
      actions.append(
        button(S.noteResend, "btn btn-primary", () => resendNotice(notice, box)),
        button(S.noteDismiss, "btn btn-outline-secondary", () => dismissNotice(notice, box))
      );
      box.append(words, actions);
      notes.appendChild(box);
    }
    box.querySelector("[data-role=words]").textContent = noticeText(notice);
  }

  function noticeText(notice) {
    return fmt(S.noteRefused, { name: notice.name, reason: notice.reason, note: noteText(notice) });
  }

  function button(text, className, action) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = text;
    element.addEventListener("click", action);
    return element;
  }

  /* The patient sends the note's words from here: through the API again (the same client UUID:
     never stored twice). Sent: the notice goes; refused again: it stays, with the new reason. */
  function resendNotice(notice, box) {
    const buttons = box.querySelectorAll("button");
    buttons.forEach((element) => {
      element.disabled = true;
    });
    sendAsNote(notice, notice.client_uuid).then((result) => {
      buttons.forEach((element) => {
        element.disabled = false;
      });
      if (result.kind === "ok") {
        dropNotice(notice.client_uuid).catch(() => undefined);
        leaveNotice(box);
        say(S.noteResent, "success");
      } else if (result.kind === "refused") {
        notice.reason = reasonOf(result);
        keepNotice(notice).catch(() => undefined);
        showNotice(notice);
      } else {
        say(S.noteResendOffline, "warning");
      }
    });
  }

  function dismissNotice(notice, box) {
    dropNotice(notice.client_uuid).catch(() => undefined);
    leaveNotice(box);
  }

  /* The notice's box goes; the keyboard focus, which was on one of its buttons, goes to the
     next notice's first button, or to the notes' place, rather than to the start of the page. */
  function leaveNotice(box) {
    box.remove();
    const next = notes.querySelector("button");
    if (next) {
      next.focus();
      return;
    }
    notes.setAttribute("tabindex", "-1");
    notes.focus();
  }

  /* The notices kept from before (this opening of Today or an earlier one): shown again, and
     their exercises' cards say they left the plan. */
  function showKeptNotices() {
    notices()
      .catch(() => [])
      .then((kept) =>
        kept.forEach((notice) => {
          showNotice(notice);
          removed(notice, false);
        })
      );
  }

  /* To the API's messages (the patient's own thread); resolves to transport.js's result:
     "ok" (201 sent, or 200: that client UUID's message, already stored), "refused" (400, 404)
     or "retry". */
  function sendAsNote(entry, uuid) {
    if (!config.messagesUrl) {
      return Promise.resolve({ kind: "retry", status: 0, json: null });
    }
    return send("POST", config.messagesUrl, { body: noteText(entry), client_uuid: uuid });
  }

  return { noteNotSent, sendAsNote, showKeptNotices };
}
