/*
 * The patient's Messages page with no connection. Online, the message form is sent as without
 * JavaScript (the server's page answers). Offline, the browser would try the post, fail and
 * show its own "no internet" page, the words written gone: the form is not sent, the words
 * stay in the box, and the patient is told plainly (#messages-config's strings, translated on
 * the server) that the message was not sent and to send it again when online. Messages are
 * not for emergencies: one that waits unseen on a phone is no help, so it is not queued.
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

  form.addEventListener("submit", (event) => {
    if (navigator.onLine !== false) {
      say("");
      return; // sent as without JavaScript
    }
    event.preventDefault(); // nothing sent: the form stays as it is, its button usable
    say(S.offline);
    if (form.elements.body) {
      form.elements.body.focus();
    }
  });

  window.addEventListener("online", () => {
    if (status && status.textContent) {
      say(S.online);
    }
  });
}
