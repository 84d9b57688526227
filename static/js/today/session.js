/*
 * The guided session (issue 18): today's exercises one screen at a time. For each set: a
 * get-ready count (3-2-1), then the holds on a timer ring (or the reps, or the minutes), a
 * signal at the end of each (sound, vibration, a flash), the set stored the moment it is done,
 * a rest timer between sets; after the last set, pain and effort (optional, unanswered unless
 * the patient picks a number); then the next exercise, and a summary at the end.
 *
 * Counting is exact: a hold is part of a set, a set part of a session. Each finished set is one
 * tick through the cards (today/cards.js: ``api``), the same path as the card's buttons: the
 * same client UUID per session, the same API and offline outbox. The summary says what was
 * stored.
 */
import { fmt } from "../common.js";
import { countdown, keepAwake, makeRing, signal, unlockSound } from "./timer.js";

function element(tag, attributes, text) {
  const el = document.createElement(tag);
  Object.entries(attributes || {}).forEach(([key, value]) => {
    if (key === "className") {
      el.className = value;
    } else {
      el.setAttribute(key, value);
    }
  });
  if (text !== undefined) {
    el.textContent = text;
  }
  return el;
}

/* The session's screen (#session, on a day with exercises to tick), started from its buttons;
   ``api``: the cards' sessionApi(); ``config``: #today-config. */
export function setupSession(api, config) {
  const dialog = document.getElementById("session");
  if (!dialog) {
    return;
  }
  const S = config.session;
  const stage = dialog.querySelector("[data-role=stage]");
  const heading = dialog.querySelector("#session-heading");
  const stopButton = dialog.querySelector("[data-role=stop]");
  let controller = null;
  let wakeLock = null;

  const show = (title, ...parts) => {
    heading.textContent = title;
    stage.replaceChildren(...parts);
  };

  /* A screen that waits for one of its buttons; resolves with the button's value, or null
     when the session is stopped. */
  const waitFor = (buttons, signalOf) =>
    new Promise((resolve) => {
      buttons.forEach((button) =>
        button.addEventListener("click", () => resolve(button.value), { once: true })
      );
      signalOf.addEventListener("abort", () => resolve(null), { once: true });
    });

  const bigButton = (text, value, primary = true) => {
    const button = element(
      "button",
      { type: "button", className: `btn btn-lg w-100 ${primary ? "btn-primary" : "btn-outline-primary"}` },
      text
    );
    button.value = value;
    return button;
  };

  /* The counted part of a screen: "Exercise 1 of 3 · Set 2 of 3 · Hold 4 of 10". */
  const where = (lines) =>
    element("p", { className: "rehab-session-where", "aria-live": "polite" }, lines.filter(Boolean).join(" · "));

  /* Which leg, under the exercise's name on each of its screens (as on its card). */
  const legLine = (leg) => (leg ? [element("p", { className: "rehab-session-leg fw-semibold mb-1" }, leg)] : []);

  async function timed(title, label, seconds, lines, abort, { ends = true, leg = "" } = {}) {
    const ring = makeRing();
    const status = element("p", { className: "rehab-session-label" }, label);
    const timer = element("div", { className: "rehab-session-timer", role: "timer", "aria-label": label });
    timer.appendChild(ring.svg);
    show(title, ...legLine(leg), where(lines), status, timer);
    const completed = await countdown(seconds, (left) => ring.show(left, seconds), abort);
    if (completed && ends) {
      signal(dialog);
    }
    return completed;
  }

  function scale(name, label) {
    const fieldset = element("fieldset", { className: "mb-3" });
    fieldset.appendChild(element("legend", { className: "form-label fw-semibold fs-6" }, label));
    const options = element("div", { className: "rehab-scale-options" });
    [["", S.noAnswer], ...Array.from({ length: 11 }, (unused, n) => [String(n), String(n)])].forEach(
      ([value, text]) => {
        const id = `session-${name}-${value || "none"}`;
        const input = element("input", { type: "radio", className: "btn-check", name, id, value });
        if (value === "") {
          input.checked = true;
        }
        options.append(input, element("label", { className: "btn btn-outline-primary", for: id }, text));
      }
    );
    fieldset.appendChild(options);
    return fieldset;
  }

  async function feedback(card, name, lines, abort, last) {
    const form = element("form", { className: "rehab-session-feedback" });
    form.append(
      element("p", { className: "mb-2" }, S.feedbackIntro),
      scale("pain", S.pain),
      scale("effort", S.effort)
    );
    const next = bigButton(last ? S.finish : S.next, "next");
    show(fmt(S.howDidItFeel, { name }), where(lines), form, next);
    heading.focus();
    const answer = await waitFor([next], abort);
    if (answer === null) {
      return false;
    }
    const changes = {};
    ["pain", "effort"].forEach((key) => {
      const value = form.elements[key].value;
      if (value !== "") {
        changes[key] = value;
      }
    });
    if (Object.keys(changes).length) {
      api.feedback(card, changes);
    }
    return true;
  }

  async function doExercise(card, index, count, abort, done) {
    const name = api.nameOf(card);
    const leg = api.legOf(card);
    const exerciseLine = fmt(S.exerciseOf, { n: index + 1, count });
    const firstSet = (card.open ? card.open.sets : 0) + 1;
    for (let set = firstSet; set <= card.sets; set += 1) {
      const setLine = fmt(S.setOf, { n: set, sets: card.sets });
      if (card.hold || card.minutes) {
        const holds = card.hold ? card.reps || 1 : 1;
        const seconds = card.hold || card.minutes * 60;
        for (let hold = 1; hold <= holds; hold += 1) {
          const holdLine = card.hold && holds > 1 ? fmt(S.holdOf, { n: hold, holds }) : "";
          const lines = [exerciseLine, setLine, holdLine];
          if (!(await timed(name, S.getReady, 3, lines, abort, { ends: false, leg }))) {
            return false;
          }
          const label = card.hold ? fmt(S.holdFor, { s: card.hold }) : S.keepGoing;
          if (!(await timed(name, label, seconds, lines, abort, { leg }))) {
            return false;
          }
        }
      } else {
        const button = bigButton(S.setDone, "done");
        const reps = element("p", { className: "rehab-session-label" }, fmt(S.doReps, { reps: card.reps || "" }));
        show(name, ...legLine(leg), where([exerciseLine, setLine]), reps, button);
        button.focus();
        if ((await waitFor([button], abort)) === null) {
          return false;
        }
      }
      api.tick(card);
      done.set(card, (done.get(card) || 0) + 1);
      if (set < card.sets) {
        const restLine = fmt(S.setStored, { n: set, sets: card.sets });
        const rest = new AbortController();
        const stopRest = () => rest.abort();
        abort.addEventListener("abort", stopRest, { once: true });
        const skip = bigButton(S.skipRest, "skip", false);
        skip.addEventListener("click", stopRest, { once: true });
        const restLabel = fmt(S.rest, { s: config.restSeconds });
        const resting = timed(name, restLabel, config.restSeconds, [exerciseLine, restLine], rest.signal);
        stage.appendChild(skip);
        await resting;
        abort.removeEventListener("abort", stopRest);
        if (abort.aborted) {
          return false;
        }
      }
    }
    return feedback(card, name, [exerciseLine], abort, index === count - 1);
  }

  function summary(done, stopped) {
    const list = element("ul", { className: "list-group mb-3" });
    // What is stored: the sets of each exercise's session as the cards ticked them.
    done.forEach((sets, card) => {
      const stored = card.last ? card.last.sets : sets;
      list.appendChild(
        element(
          "li",
          { className: "list-group-item" },
          // One set is done, not "sets done: 1 of 1" (as the card counts no sets then).
          fmt(card.sets > 1 ? S.summaryLine : S.summaryDone, {
            name: api.nameOf(card),
            done: stored,
            sets: card.sets,
          })
        )
      );
    });
    const close = bigButton(S.close, "close");
    close.addEventListener("click", () => dialog.close(), { once: true });
    const parts = [];
    if (done.size) {
      parts.push(list);
    } else {
      parts.push(element("p", {}, S.nothingStored));
    }
    if (!stopped && done.size && homeScreenHintDue()) {
      parts.push(element("p", { className: "alert alert-info rehab-home-hint" }, S.homeScreenHint));
    }
    parts.push(close);
    show(stopped ? S.stopped : S.finished, ...parts);
    close.focus();
    if (!stopped && done.size) {
      document.dispatchEvent(new CustomEvent("rehab:session-done"));
    }
  }

  /* "Add to Home Screen" for iPhone and iPad users (Safari has no install prompt): once, after
     the first completed session, and never inside the installed app. */
  function homeScreenHintDue() {
    const ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
    const installed = navigator.standalone === true || window.matchMedia("(display-mode: standalone)").matches;
    if (!ios || installed) {
      return false;
    }
    try {
      if (window.localStorage.getItem("rehab.homeScreenHint")) {
        return false;
      }
      window.localStorage.setItem("rehab.homeScreenHint", "shown");
    } catch (error) {
      return false;
    }
    return true;
  }

  async function run(cards) {
    unlockSound();
    controller = new AbortController();
    const abort = controller.signal;
    const done = new Map();
    stopButton.hidden = false;
    dialog.showModal();
    keepAwake().then((lock) => {
      wakeLock = lock;
    });
    let finished = true;
    for (let i = 0; i < cards.length && finished; i += 1) {
      finished = await doExercise(cards[i], i, cards.length, abort, done);
    }
    stopButton.hidden = true;
    if (wakeLock) {
      wakeLock.release().catch(() => undefined);
      wakeLock = null;
    }
    summary(done, !finished);
  }

  stopButton.addEventListener("click", () => controller && controller.abort());
  dialog.addEventListener("cancel", (event) => {
    // Escape stops the session (what was done stays stored) and shows the summary.
    if (controller && !controller.signal.aborted && !stopButton.hidden) {
      event.preventDefault();
      controller.abort();
    }
  });
  document.addEventListener("visibilitychange", async () => {
    if (wakeLock !== null && document.visibilityState === "visible" && !stopButton.hidden) {
      wakeLock = await keepAwake();
    }
  });

  document.querySelectorAll("[data-role=start-session]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => {
      const todo = api.cards().filter((card) => !api.isDone(card));
      if (todo.length) {
        run(todo);
      }
    });
  });
  api.cards().forEach((card) => {
    const button = card.el.querySelector("[data-role=start]");
    if (button) {
      button.addEventListener("click", () => run([card]));
    }
  });
}
