/*
 * Notifications in this browser: turn web push on or off (the reminders page, a clinician's
 * notification settings). Reads its settings from the "push-config" JSON script.
 *
 * On: ask for permission, register the site's service worker (/sw.js), subscribe with the
 * site's VAPID public key and send the subscription to the server. The reminders form, when
 * a choice that needs notifications is picked, turns them on before it is sent.
 */
import { csrfToken } from "./transport.js";

const configElement = document.getElementById("push-config");
const config = configElement ? JSON.parse(configElement.textContent) : null;
const panel = document.querySelector("[data-push-status]");
const message = document.querySelector("[data-push-message]");
const onButton = document.querySelector("[data-push-on]");
const offButton = document.querySelector("[data-push-off]");
const form = document.querySelector("[data-push-form]");

const supported =
  "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

function keyBytes(base64url) {
  const padded = (base64url + "===".slice((base64url.length + 3) % 4))
    .replace(/-/g, "+")
    .replace(/_/g, "/");
  const raw = atob(padded);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function post(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": csrfToken(),
    },
    body: JSON.stringify(body),
  });
}

function show(text, state) {
  if (!panel) {
    return;
  }
  panel.hidden = false;
  message.textContent = text;
  onButton.hidden = state !== "off";
  offButton.hidden = state !== "on";
}

async function registration() {
  await navigator.serviceWorker.register(config.serviceWorker);
  return navigator.serviceWorker.ready;
}

async function current() {
  const reg = await navigator.serviceWorker.getRegistration(config.serviceWorker);
  return reg ? reg.pushManager.getSubscription() : null;
}

async function turnOn() {
  const permission = await Notification.requestPermission();
  if (permission === "denied" && form) {
    // Refused for good: the reminders form offers what can work, and says why.
    show(config.strings.blocked, "none");
    withoutPush();
    return false;
  }
  if (permission !== "granted") {
    show(config.strings.denied, "off");
    return false;
  }
  const reg = await registration();
  const subscription =
    (await reg.pushManager.getSubscription()) ||
    (await reg.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(config.publicKey),
    }));
  const answer = await post(config.subscribeUrl, subscription.toJSON());
  if (!answer.ok) {
    show(config.strings.failed, "off");
    return false;
  }
  show(config.strings.on, "on");
  return true;
}

async function turnOff() {
  const subscription = await current();
  if (subscription) {
    await post(config.unsubscribeUrl, { endpoint: subscription.endpoint });
    await subscription.unsubscribe();
  }
  show(config.strings.off, "off");
}

function needsPush() {
  if (!form) {
    return false;
  }
  const choices = (form.dataset.pushChoices || "").split(" ");
  const fields = form.elements;
  const reminders = fields.enabled && fields.enabled.checked && choices.includes(fields.channel.value);
  const notices = ["replies", "requests"].some(
    (name) => fields[name] && choices.includes(fields[name].value),
  );
  return Boolean(reminders || notices);
}

// An iPhone or iPad (an iPad's Safari says "Macintosh", but has a touch screen).
function appleMobile() {
  const agent = navigator.userAgent;
  return /iPhone|iPad|iPod/.test(agent) || (/Macintosh/.test(agent) && navigator.maxTouchPoints > 1);
}

function standalone() {
  return navigator.standalone === true || window.matchMedia("(display-mode: standalone)").matches;
}

// Why this browser cannot show notifications, in the reminders form's words; "" when it can.
function whyNoPush() {
  if (!supported) {
    return appleMobile() && !standalone() ? config.strings.homeScreen : config.strings.noPush;
  }
  return Notification.permission === "denied" ? config.strings.blocked : "";
}

// The form without the choices that need notifications in this browser: they are disabled
// (the server's form still has them, for a browser that can), a choice saved before moves to
// email, and each group says why.
function withoutPush() {
  const choices = (form.dataset.pushChoices || "").split(" ");
  const groups = new Map();
  for (const input of form.querySelectorAll('input[type="radio"]')) {
    if (choices.includes(input.value)) {
      const list = groups.get(input.name) || [];
      list.push(input);
      groups.set(input.name, list);
    }
  }
  for (const [name, inputs] of groups) {
    const moved = inputs.some((input) => input.checked);
    if (moved) {
      const email = form.querySelector(`input[type="radio"][name="${name}"][value="email"]`);
      if (email) {
        email.checked = true;
      }
    }
    const note = document.createElement("p");
    note.id = `${name}-no-push`;
    note.className = "small mb-0 mt-1";
    note.textContent = moved ? config.strings.choiceMoved : config.strings.choiceOff;
    const group = inputs[0].closest("fieldset") || inputs[0].parentElement;
    group.append(note);
    for (const input of inputs) {
      input.disabled = true;
      input.checked = false;
      input.setAttribute("aria-describedby", note.id);
    }
  }
}

async function start() {
  if (!config || !panel) {
    return;
  }
  if (!config.enabled) {
    show(config.strings.unsupported, "none");
    return;
  }
  const why = form ? whyNoPush() : "";
  if (why) {
    show(why, "none");
    withoutPush();
    return;
  }
  if (!supported) {
    show(config.strings.unsupported, "none");
    return;
  }
  if (Notification.permission === "denied") {
    show(config.strings.denied, "none");
    return;
  }
  const subscription = await current();
  show(subscription ? config.strings.on : config.strings.off, subscription ? "on" : "off");
  if (subscription) {
    // Keep the server's copy in step (it removes subscriptions a push service has dropped,
    // and a browser someone else signed in on moves to the person using it now).
    post(config.subscribeUrl, subscription.toJSON()).catch(() => {});
  }
  onButton.addEventListener("click", () => {
    turnOn().catch(() => show(config.strings.failed, "off"));
  });
  offButton.addEventListener("click", () => {
    turnOff().catch(() => show(config.strings.failed, "on"));
  });
  if (form) {
    form.addEventListener("submit", (event) => {
      if (form.dataset.pushReady === "1" || !needsPush()) {
        return;
      }
      event.preventDefault();
      turnOn()
        .catch(() => {
          show(config.strings.failed, "off");
          return false;
        })
        .then((on) => {
          if (on) {
            form.dataset.pushReady = "1";
            form.requestSubmit();
          } else {
            message.focus();
          }
        });
    });
  }
}

start();
