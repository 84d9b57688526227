{% load static %}/* The site's service worker (served at /sw.js so it may control every page).
   Push notifications: sw-push.js. The installable app (issue 18): the patient's pages work
   offline.

   - The app shell (style sheets, scripts, icons) is cached at install, other static files as
     they are fetched; each is served from the cache and refreshed in the background.
   - The patient's pages (/me/…) are network-first: a page that answers is cached (Today asks
     for the plan page too, so it is there offline before its first visit); with no
     connection the cached copy is shown, marked "offline, last updated …" (the page's
     [data-offline-at] gets the time the copy was made; static/js/app.js shows the note).
   - Never cached: another origin's answers, the API, anything but a GET, a redirect (the
     sign-in page), an error.
   - Signing out (a POST to the sign-out page) or reaching the sign-in page clears the pages'
     cache, so one person's cached pages are never shown to another. */
importScripts("{% static 'js/sw-push.js' %}");

const VERSION = "2026-12-07-today-modules";
const PAGES = "rehab-pages";
const ASSETS = "rehab-assets-" + VERSION;
const SHELL = [
  "{% static 'bootstrap/css/bootstrap.min.css' %}",
  "{% static 'bootstrap/js/bootstrap.bundle.min.js' %}",
  "{% static 'css/design.css' %}",
  "{% static 'css/app.css' %}",
  "{% static 'css/patient.css' %}",
  "{% static 'js/app.js' %}",
  // The patient's page scripts (ES modules: each file its own request, all of them here).
  "{% static 'js/common.js' %}",
  "{% static 'js/transport.js' %}",
  "{% static 'js/outbox.js' %}",
  "{% static 'js/records.js' %}",
  "{% static 'js/messages.js' %}",
  "{% static 'js/today.js' %}",
  "{% static 'js/today/logs.js' %}",
  "{% static 'js/today/queue.js' %}",
  "{% static 'js/today/cards.js' %}",
  "{% static 'js/today/feedback.js' %}",
  "{% static 'js/today/notices.js' %}",
  "{% static 'js/today/session.js' %}",
  "{% static 'js/today/timer.js' %}",
  "{% static 'icons/icon-192.png' %}",
];
const PAGE_PREFIX = "{% url 'rehab:today' %}";
const SIGN_OUT = "{% url 'logout' %}";
const SIGN_IN = "{% url 'login' %}";
const STATIC_PREFIX = "{% get_static_prefix %}";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(ASSETS)
      .then((cache) => Promise.all(SHELL.map((url) => cache.add(url).catch(() => undefined))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("rehab-assets-") && key !== ASSETS)
            .map((key) => caches.delete(key))
        )
      )
      .then(() => self.clients.claim())
  );
});

function clearPages() {
  return caches.delete(PAGES);
}

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "clear-pages") {
    event.waitUntil(clearPages());
  }
});

/* A copy of a page as it was when it was cached, marked with that time. */
async function offlineCopy(request) {
  const cached = await caches.match(request, { cacheName: PAGES, ignoreVary: true });
  if (!cached) {
    return null;
  }
  const when = cached.headers.get("X-Cached-At") || "";
  const html = (await cached.text()).replace('data-offline-at=""', 'data-offline-at="' + when + '"');
  return new Response(html, {
    status: 200,
    headers: { "Content-Type": "text/html; charset=utf-8" },
  });
}

async function networkFirstPage(request) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && response.type === "basic") {
      const body = await response.clone().text();
      const headers = new Headers(response.headers);
      headers.set("X-Cached-At", new Date().toISOString());
      const cache = await caches.open(PAGES);
      await cache.put(request, new Response(body, { status: 200, headers: headers }));
    }
    if (response.redirected && new URL(response.url).pathname.startsWith(SIGN_IN)) {
      await clearPages(); // signed out elsewhere, or the session ended
    }
    return response;
  } catch (error) {
    const copy = await offlineCopy(request);
    if (copy) {
      return copy;
    }
    throw error;
  }
}

/* Static files: the cached copy at once, refreshed in the background (stale-while-revalidate). */
async function staticAsset(event) {
  const request = event.request;
  const cache = await caches.open(ASSETS);
  const cached = await cache.match(request);
  const fresh = fetch(request)
    .then((response) => {
      if (response.ok && response.type === "basic") {
        return cache.put(request, response.clone()).then(() => response);
      }
      return response;
    })
    .catch(() => cached);
  if (cached) {
    event.waitUntil(fresh);
    return cached;
  }
  return fresh;
}

/* Background Sync (Chromium): the connection is back; an open Today page sends its outbox (it
   holds the page's CSRF token). Safari and Firefox have no Background Sync: the page's own
   triggers (online, returning to the app, opening it) send it there. */
self.addEventListener("sync", (event) => {
  if (event.tag === "rehab-outbox") {
    event.waitUntil(
      self.clients
        .matchAll({ type: "window" })
        .then((windows) => windows.forEach((client) => client.postMessage({ type: "flush-outbox" })))
    );
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return; // another origin: the browser's own handling, never cached here
  }
  if (request.method === "POST" && url.pathname === SIGN_OUT) {
    event.waitUntil(clearPages());
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  if (url.pathname.startsWith(SIGN_IN)) {
    event.waitUntil(clearPages());
    return;
  }
  const page = request.mode === "navigate" || request.headers.get("Accept") === "text/html";
  if (page && url.pathname.startsWith(PAGE_PREFIX)) {
    event.respondWith(networkFirstPage(request));
    return;
  }
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(staticAsset(event));
  }
});
