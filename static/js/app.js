/*
 * The installable app on the patient's pages (issue 18): registers the site's service worker
 * (/sw.js: offline copies of the patient's pages, and push), shows the "offline, last updated"
 * note on a copy the service worker served without a connection (hiding the one-time
 * confirmations kept in it), and clears the cached pages
 * and unsubscribes this browser from notifications when the patient signs out. The service
 * worker's address: <meta name="service-worker"> (rehab/me/base.html).
 */
const workerMeta = document.querySelector("meta[name=service-worker]");

function showOfflineNote() {
  const note = document.querySelector("[data-offline-at]");
  const when = note ? note.dataset.offlineAt : "";
  if (!note || !when) {
    return;
  }
  const time = note.querySelector("time");
  if (time) {
    time.dateTime = when;
    try {
      time.textContent = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        weekday: "long",
        hour: "2-digit",
        minute: "2-digit",
      }).format(new Date(when));
    } catch (error) {
      time.textContent = when;
    }
  }
  note.hidden = false;
  // A confirmation shown once ("Your message has been sent.") belongs to that moment, not to
  // the copy kept for later: offline, it could say that something just written had gone.
  document.querySelectorAll("[data-flash]").forEach((flash) => {
    flash.hidden = true;
  });
}

function clearCachedPages() {
  const waits = [];
  if ("caches" in window) {
    waits.push(window.caches.delete("rehab-pages").catch(() => false));
  }
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({ type: "clear-pages" });
  }
  return Promise.all(waits);
}

/* This browser stops getting notifications: the server forgets its subscription when the
   session that turned it on signs out; unsubscribing here also ends one that an earlier
   session turned on (the next person to sign in here turns their own on). */
function unsubscribePush() {
  if (!navigator.serviceWorker || !workerMeta) {
    return Promise.resolve(false);
  }
  return navigator.serviceWorker
    .getRegistration(workerMeta.content)
    .then((reg) => (reg && reg.pushManager ? reg.pushManager.getSubscription() : null))
    .then((subscription) => (subscription ? subscription.unsubscribe() : false))
    .catch(() => false);
}

/* Never keep a person from signing out for long (a push service that does not answer). */
function atMost(milliseconds, promise) {
  return Promise.race([promise, new Promise((done) => setTimeout(done, milliseconds))]);
}

/* Sign-out: clear the cached pages and stop this browser's notifications first, then send
   the form. */
document.querySelectorAll("[data-sign-out]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (form.dataset.cleared) {
      return;
    }
    event.preventDefault();
    Promise.all([clearCachedPages(), atMost(2000, unsubscribePush())]).finally(() => {
      form.dataset.cleared = "1";
      form.submit();
    });
  });
});

/* A video's frame made only when the patient taps "Play" (the CSP allows that one host). */
document.querySelectorAll("[data-embed]").forEach((box) => {
  const button = box.querySelector("[data-role=play]");
  if (!button) {
    return;
  }
  button.addEventListener("click", () => {
    const frame = document.createElement("iframe");
    frame.src = box.dataset.embed + "&autoplay=1";
    frame.title = box.dataset.title || "";
    frame.className = "rehab-embed-frame";
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.loading = "lazy";
    box.replaceChildren(frame);
  });
});

showOfflineNote();

/* Pages to keep offline before their first visit (the plan from Today): fetched through the
   service worker once it controls this page, which caches them. */
function warmPages() {
  const wanted = document.querySelector("meta[name=offline-pages]");
  if (!wanted || !navigator.onLine || !navigator.serviceWorker.controller) {
    return;
  }
  wanted.content
    .split(" ")
    .filter(Boolean)
    .forEach((url) => {
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } }).catch(
        () => undefined
      );
    });
}

if ("serviceWorker" in navigator && workerMeta) {
  navigator.serviceWorker
    .register(workerMeta.content)
    .then(() => navigator.serviceWorker.ready)
    .then(warmPages)
    .catch(() => undefined);
}
