/*
 * Timers of the guided session: a countdown measured against the clock (a slow or sleeping
 * tab never makes a hold longer or shorter), its ring, and the signals at its end.
 */

/* Counts ``seconds`` down, calling ``onTick(left)`` each whole second (and at once). Resolves
   true at 0, false when ``signal`` aborts it. */
export function countdown(seconds, onTick, signal) {
  return new Promise((resolve) => {
    const endsAt = Date.now() + seconds * 1000;
    let shown = null;
    let timer = null;
    const finish = (completed) => {
      window.clearInterval(timer);
      resolve(completed);
    };
    const step = () => {
      const left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
      if (left !== shown) {
        shown = left;
        onTick(left);
      }
      if (left <= 0) {
        finish(true);
      }
    };
    if (signal) {
      if (signal.aborted) {
        resolve(false);
        return;
      }
      signal.addEventListener("abort", () => finish(false), { once: true });
    }
    timer = window.setInterval(step, 200);
    step();
  });
}

const RADIUS = 54;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;
const SVG = "http://www.w3.org/2000/svg";

/* A ring of 120×120 that empties as the time runs out, with the time left in its middle. */
export function makeRing() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 120 120");
  svg.setAttribute("class", "rehab-ring");
  svg.setAttribute("aria-hidden", "true");
  const track = document.createElementNS(SVG, "circle");
  const bar = document.createElementNS(SVG, "circle");
  [track, bar].forEach((circle) => {
    circle.setAttribute("cx", "60");
    circle.setAttribute("cy", "60");
    circle.setAttribute("r", String(RADIUS));
    circle.setAttribute("fill", "none");
    circle.setAttribute("stroke-width", "10");
    svg.appendChild(circle);
  });
  track.setAttribute("class", "rehab-ring-track");
  bar.setAttribute("class", "rehab-ring-bar");
  bar.setAttribute("stroke-dasharray", String(CIRCUMFERENCE));
  bar.setAttribute("transform", "rotate(-90 60 60)");
  const text = document.createElementNS(SVG, "text");
  text.setAttribute("x", "60");
  text.setAttribute("y", "60");
  text.setAttribute("text-anchor", "middle");
  text.setAttribute("dominant-baseline", "central");
  text.setAttribute("class", "rehab-ring-text");
  svg.appendChild(text);
  return {
    svg,
    show(left, total) {
      const fraction = total ? left / total : 0;
      bar.setAttribute("stroke-dashoffset", String(CIRCUMFERENCE * (1 - fraction)));
      // A minute or more reads as minutes and seconds ("10:00", not "600").
      const words =
        total >= 60 ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` : String(left);
      text.textContent = words;
      // "9:59" and "20:00" in the ring's type ran over its stroke on a 360-px phone: smaller.
      text.setAttribute(
        "class",
        "rehab-ring-text" + (words.length >= 5 ? " is-long" : words.length === 4 ? " is-mid" : "")
      );
    },
  };
}

let audio = null;

/* Created on a tap: browsers allow sound only after a user gesture. */
export function unlockSound() {
  if (!audio) {
    const AudioContextClass = window.AudioContext || window.webkitAudioContext;
    audio = AudioContextClass ? new AudioContextClass() : null;
  }
  if (audio && audio.state === "suspended") {
    audio.resume();
  }
}

/* The end of a hold or a rest: a beep, a vibration, and a flash for a silent phone. */
export function signal(element) {
  if (audio) {
    try {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = 880;
      gain.gain.value = 0.25;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.4);
    } catch (error) {
      /* no sound: the vibration and the flash remain */
    }
  }
  if (navigator.vibrate) {
    navigator.vibrate([200, 100, 200]);
  }
  element.classList.remove("is-flash");
  void element.offsetWidth; // restart the animation
  element.classList.add("is-flash");
  window.setTimeout(() => element.classList.remove("is-flash"), 900);
}

/* Keeps the screen on during the session where the browser can (Wake Lock API). */
export async function keepAwake() {
  if (!("wakeLock" in navigator)) {
    return null;
  }
  try {
    return await navigator.wakeLock.request("screen");
  } catch (error) {
    return null;
  }
}
