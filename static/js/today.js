/*
 * The Today page's script (an ES module, no build step): reads the page's #today-config and
 * joins its parts. Without it every form still works (POST and redirect back to Today).
 *
 *   transport.js        fetch to the API: session sign-in, CSRF, the result kinds (shared)
 *   outbox.js           the phone's outbox in IndexedDB, and the client UUIDs (shared)
 *   today/logs.js       ticks, edits and undos as the API takes them (/api/v1/logs/)
 *   today/queue.js      Today's use of the outbox: ticks made offline, sent later, in order
 *   today/cards.js      the exercise cards: their state, the ticks, pain, effort and undo
 *   today/session.js    the guided session (with today/timer.js), ticking through the cards
 *
 * A page drawn on another day (its copy kept on the phone and opened offline later, or left
 * open overnight) says which day it is of (#saved-day-note): its heading and due list are
 * that day's. Its ticks are today's (today/cards.js: toToday, and each tick's date). When the
 * connection comes back ("online"), or the patient comes back to it online, today's page is
 * loaded in its place, once, and only once the server has given it (loadToday): never a loop.
 */
import { fmt, localDate } from "./common.js";
import { createCards } from "./today/cards.js";
import { createQueue } from "./today/queue.js";
import { setupSession } from "./today/session.js";

const configElement = document.getElementById("today-config");
if (configElement) {
  start(JSON.parse(configElement.textContent));
}

function start(config) {
  /* The patient's own date (their time zone from the clinic's record). */
  const today = () => localDate(config.timezone);
  let loadWhenSent = false; // today's page waits for the ticks still being sent (loadToday)
  const queue = createQueue(config, {
    today,
    stored: (clientUuid, row) => cards.linkStored(clientUuid, row),
    current: (entry) => cards.current(entry),
    refused: (entry, reason) => cards.refused(entry, reason),
    notUndone: (entry, row, result) => cards.notUndone(entry, row, result),
    removed: (entry, noteSent) => cards.removed(entry, noteSent),
    opened: () => cards.applyQueued(),
    settled: () => {
      if (loadWhenSent) {
        loadWhenSent = false;
        loadToday();
      }
    },
  });
  const cards = createCards(config, queue, today);
  setupSession(cards.sessionApi(), config);
  queue.start();

  /* "15 December" in the page's language, weekday first, from YYYY-MM-DD. */
  function dayText(iso) {
    const [year, month, day] = iso.split("-").map(Number);
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        weekday: "long",
        day: "numeric",
        month: "long",
        timeZone: "UTC",
      }).format(new Date(Date.UTC(year, month - 1, day)));
    } catch (error) {
      return iso;
    }
  }

  /* Said while the page is of another day than the patient's today; "offline" while there
     is no connection or the page is the copy the service worker kept (until the connection
     is back). */
  const offlineCopy = document.querySelector("[data-offline-at]");
  let backOnline = false;
  function showSavedDay() {
    const note = document.getElementById("saved-day-note");
    if (!note) {
      return;
    }
    const stale = config.today !== today();
    note.hidden = !stale;
    if (stale) {
      const copy = offlineCopy && offlineCopy.dataset.offlineAt && !backOnline;
      const offline = navigator.onLine === false || copy;
      note.textContent = fmt(offline ? config.strings.savedDayOffline : config.strings.savedDayOnline, {
        day: dayText(config.today),
      });
    }
  }
  showSavedDay();

  /* A page of another day, online again (its copy kept on the phone and opened offline, or
     left open overnight): today's page is loaded in its place (which exercises are due, the
     heading, the check-in are the day's it was drawn on); not in the middle of a guided
     session. Ticks waiting in the outbox are sent before it is loaded (below).

     Never a loop of loads. Today's page is asked for first (fetch, through the service
     worker, which keeps it); only if the answer is today's page, drawn by the server for the
     patient's today, is it loaded. An answer that is not (no connection after all: the
     service worker's saved copy; the server's day still the page's) loads nothing: the page
     stays, with its note, until the next "online" or return to the app. And each pair of days
     (the page's, the patient's) is loaded at most once in this tab: the pair is kept in
     sessionStorage (two dates, nothing else) before the load, and a page that finds its own
     pair there (the load showed that day again) loads nothing more. Without sessionStorage
     nothing is loaded. One question at a time: "online" twice asks once; an "online" (or a
     return to the app) that comes while the question is on its way asks once more after an
     answer that is not today's page (the connection may have come back only since it was
     asked). Ticks waiting in the outbox are sent first (the queue says when nothing waits:
     settled), so the page that comes shows them, and no load cuts a send short. */
  const LOADED_KEY = "rehab.today.loadedFor";
  let asking = false;
  let askAgain = false; // asked for while the question was on its way
  function loadToday() {
    const session = document.getElementById("session");
    const pair = config.today + " " + today();
    if (asking) {
      askAgain = true;
      return;
    }
    if (config.today === today() || navigator.onLine === false || (session && session.open)) {
      return;
    }
    if (queue.waiting()) {
      loadWhenSent = true; // the ticks made on this page go first, then today's page comes
      return;
    }
    try {
      if (window.sessionStorage.getItem(LOADED_KEY) === pair) {
        return; // loaded once already, and still that day
      }
    } catch (error) {
      return; // no way to know whether it was loaded already
    }
    asking = true;
    askAgain = false;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" }, cache: "no-store" })
      .then((response) => (response.ok && !response.redirected ? response.text() : ""))
      .then((html) => {
        if (isTodaysPage(html) && pair === config.today + " " + today()) {
          window.sessionStorage.setItem(LOADED_KEY, pair);
          window.location.reload();
          return;
        }
        notToday();
      })
      .catch(notToday);
  }

  /* The answer was not today's page: the page stays as it is, with its note; asked again at
     once if the connection came back (again) while it was on its way. */
  function notToday() {
    asking = false;
    showSavedDay();
    if (askAgain) {
      askAgain = false;
      loadToday();
    }
  }

  /* Whether ``html`` is Today drawn by the server for the patient's today (not a copy the
     service worker kept: those are marked with the time they were saved). */
  function isTodaysPage(html) {
    const page = new DOMParser().parseFromString(html, "text/html");
    const copy = page.querySelector("[data-offline-at]");
    const drawn = page.getElementById("today-config");
    if (!drawn || (copy && copy.dataset.offlineAt)) {
      return false;
    }
    try {
      return JSON.parse(drawn.textContent).today === today();
    } catch (error) {
      return false;
    }
  }

  window.addEventListener("online", () => {
    backOnline = true;
    showSavedDay();
    loadToday();
  });
  window.addEventListener("offline", showSavedDay);
  document.addEventListener("visibilitychange", () => {
    showSavedDay();
    if (document.visibilityState === "visible") {
      loadToday();
    }
  });
}
