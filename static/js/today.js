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
 */
import { localDate } from "./common.js";
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
    opened: () => cards.applyQueued(),
  });
  const cards = createCards(config, queue, today);
  setupSession(cards.sessionApi(), config);
  queue.start();

  /* Left open overnight: coming back to it online draws the new day's page (which exercises
     are due, the heading, the check-in are the day's it was drawn on); not in the middle of a
     guided session. Ticks still waiting stay in the outbox and are sent from the new page. */
  document.addEventListener("visibilitychange", () => {
    const session = document.getElementById("session");
    const stale = config.today !== today() && navigator.onLine;
    if (document.visibilityState === "visible" && stale && !(session && session.open)) {
      window.location.reload();
    }
  });
}
