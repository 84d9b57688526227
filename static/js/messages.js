/*
 * The patient's Messages page when the message cannot go: no connection, or one that lets
 * nothing through (a weak signal, a Wi-Fi with no internet). A plain form post would fail into
 * the browser's own "no internet" page, the words written gone. Here the form is sent with
 * fetch(): with no connection (or when the post does not reach the server) nothing leaves,
 * the words stay in the box, and the patient is told plainly (#messages-config's strings,
 * translated on the server) that the message was not sent and to send it again when online.
 * Messages are not for emergencies: one that waits unseen on a phone is no help, so it is not
 * queued.
 *
 * The server's answer decides the rest, as without JavaScript: its redirect (sent) opens the
 * thread again (with its "sent" notice); any other answer (the form with an error) is asked
 * for again by a plain form post, so the server's own page shows it. The form's client UUID
 * makes a second post of a message already stored find that one, never a second message.
 *
 * A copy of the page kept on the phone (the service worker's, marked [data-offline-at]) gets a
 * new client UUID: its own may be of a message already sent.
 *
 * An ES module (outbox.js: the one maker of client UUIDs).
 */
import { uuid4 } from "./outbox.js";

const configElement = document.getElementById("messages-config");
const form = document.querySelector("form[data-message-form]");
if (configElement && form) {
  start(JSON.parse(configElement.textContent));
}

function start(config) {
  const S = config.strings;
  const status = document.getElementById("message-status");
  const buttons = form.querySelectorAll("button[type=submit]");
  let sending = false;

  const uuidInput = form.elements.client_uuid;
  const offlineNote = document.querySelector("[data-offline-at]");
  if (uuidInput && offlineNote && offlineNote.dataset.offlineAt) {
    uuidInput.value = uuid4();
  }

  function say(text) {
    if (status) {
      status.className = text ? "alert alert-warning" : "";
      status.textContent = text;
    }
  }

  function busy(on) {
    sending = on;
    buttons.forEach((button) => {
      button.disabled = on;
    });
  }

  /* Nothing was sent (or nothing is known to have been): the words stay, the patient told. */
  function notSent() {
    busy(false);
    say(S.offline);
    if (form.elements.body) {
      form.elements.body.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault(); // sent here (the submit-once guard leaves a stopped form alone)
    if (sending) {
      return;
    }
    if (navigator.onLine === false) {
      notSent();
      return;
    }
    busy(true);
    say("");
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      redirect: "manual",
    })
      .then((response) => {
        if (response.type === "opaqueredirect") {
          window.location.assign(config.url); // sent: the thread, with the server's notice
        } else {
          form.submit(); // the server's own page (its error), as without JavaScript
        }
      })
      .catch(notSent);
  });

  window.addEventListener("online", () => {
    if (status && status.textContent) {
      say(S.online);
    }
  });
}
