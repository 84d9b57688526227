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
 * that day's. Its ticks are today's (today/cards.js: toToday, and each tick's date).
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
  const queue = createQueue(config, {
    today,
    stored: (clientUuid, row) => cards.linkStored(clientUuid, row),
    refused: (entry, reason) => cards.refused(entry, reason),
    removed: (entry, noteSent) => cards.removed(entry, noteSent),
    opened: () => cards.applyQueued(),
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
  window.addEventListener("online", () => {
    backOnline = true;
    showSavedDay();
  });
  window.addEventListener("offline", showSavedDay);

  /* Left open overnight: coming back to it online draws the new day's page (which exercises
     are due, the heading, the check-in are the day's it was drawn on); not in the middle of a
     guided session. Ticks still waiting stay in the outbox and are sent from the new page. */
  document.addEventListener("visibilitychange", () => {
    const session = document.getElementById("session");
    const stale = config.today !== today() && navigator.onLine;
    if (document.visibilityState === "visible" && stale && !(session && session.open)) {
      window.location.reload();
      return;
    }
    showSavedDay();
  });
}
