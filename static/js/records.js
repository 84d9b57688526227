/*
 * The check-in and ATRS pages with no connection (issue 18). Online, the form is sent as
 * without JavaScript (the server's page answers, with its advice). Offline, the answers go to
 * the phone's outbox (outbox.js, IndexedDB) with the form's client UUID and the day they were
 * given, and are sent to the API (idempotent by that UUID) when the connection is back: from
 * here on "online", on returning to the page and on opening it, and from Today with the ticks.
 *
 * Safety first: a red flag ticked with no connection shows its advice at once (the page holds
 * it, hidden), before anything is stored, and says the clinic has not been told yet.
 *
 * An ES module: the outbox (outbox.js) and the API's transport (transport.js) are imported.
 */
import { fmt, localDate } from "./common.js";
import { add, list, open, remove, sendRecord, uuid4 } from "./outbox.js";
import { reasonOf } from "./transport.js";

const configElement = document.getElementById("record-config");
const form = document.querySelector("form[data-record]");
if (configElement && form) {
  start(JSON.parse(configElement.textContent));
}

function start(config) {
  var S = config.strings;
  var status = document.getElementById("record-status");
  var KINDS = ["checkin", "atrs"];

  /* The patient's own date (their time zone from the clinic record), as YYYY-MM-DD. */
  function today() {
    return localDate(config.timezone, config.today);
  }

  var uuidInput = form.elements.client_uuid;
  var offlineNote = document.querySelector("[data-offline-at]");
  if (uuidInput && offlineNote && offlineNote.dataset.offlineAt) {
    // A copy saved on the phone: its UUID may belong to answers already sent.
    uuidInput.value = uuid4();
  }

  if (config.today !== today()) {
    // A page drawn on another day (left open overnight, or its copy kept on the phone): its
    // answers and "saved" notice are that day's, not today's; today's start unanswered.
    document.querySelectorAll("[data-role=answered-today]").forEach(function (notice) {
      notice.hidden = true;
    });
    form.querySelectorAll("input[type=radio]").forEach(function (input) {
      input.checked = input.value === "";
    });
    if (form.elements.note) {
      form.elements.note.value = "";
    }
  }

  function say(text, tone) {
    if (status) {
      status.className = text ? "alert alert-" + (tone || "info") : "";
      status.textContent = text;
    }
  }

  /* The form's answers as the API takes them. */
  function answers() {
    var data = new FormData(form);
    var value = function (name) {
      var raw = data.get(name);
      return raw === null || raw === "" ? null : String(raw);
    };
    var number = function (name) {
      var raw = value(name);
      return raw === null ? null : Number(raw);
    };
    var out = { client_uuid: uuidInput.value, date: today() };
    if (config.kind === "checkin") {
      out.pain_at_rest = number("pain_at_rest");
      out.swelling = value("swelling");
      out.red_flags = config.flags.filter(function (code) {
        return Boolean(value("flag_" + code));
      });
      out.note = value("note") || "";
    } else {
      for (var n = 1; n <= 10; n += 1) {
        out["item_" + n] = number("item_" + n);
      }
    }
    return out;
  }

  /* The red flags' advice, from the page itself: no server needed. */
  function showAdvice(codes) {
    var box = document.querySelector("[data-role=offline-advice]");
    if (!box || !codes.length) {
      return;
    }
    box.querySelectorAll("[data-flag]").forEach(function (part) {
      part.hidden = codes.indexOf(part.dataset.flag) === -1;
    });
    box.hidden = false;
    box.setAttribute("role", "alert");
    var heading = box.querySelector("h2");
    if (heading) {
      heading.focus();
    }
  }

  /* The legends of the required questions not answered. */
  function missing() {
    var names = [];
    form.querySelectorAll("input[required]").forEach(function (input) {
      if (names.indexOf(input.name) === -1 && !form.querySelector("input[name='" + input.name + "']:checked")) {
        names.push(input.name);
      }
    });
    return names.map(function (name) {
      var fieldset = form.querySelector("input[name='" + name + "']").closest("fieldset");
      var legend = fieldset && fieldset.querySelector("legend");
      return legend ? legend.textContent.trim() : name;
    });
  }

  function showWaiting(entries) {
    var mine = entries.filter(function (entry) {
      return KINDS.indexOf(entry.kind) !== -1;
    });
    if (mine.length) {
      say(fmt(S.queued, { what: config.what }) + " " + fmt(S.waiting, { n: mine.length }), "warning");
    }
    return mine;
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine !== false) {
      return; // sent as without JavaScript
    }
    event.preventDefault();
    var data = answers();
    if (config.kind === "checkin") {
      showAdvice(data.red_flags); // first, whatever happens next
    }
    var unanswered = missing();
    if (unanswered.length) {
      say(fmt(S.missing, { questions: unanswered.join("; ") }), "danger");
      return;
    }
    add({
        kind: config.kind,
        client_uuid: data.client_uuid,
        url: config.url,
        what: config.what,
        date: data.date,
        data: data,
      })
      .then(showWaiting, function () {
        // Said only once the phone has it; a write that failed is said so.
        say(fmt(S.notKept, { what: config.what }), "danger");
      });
  });

  var flushing = false;

  function sendInOrder(entries) {
    if (!entries.length) {
      return Promise.resolve();
    }
    var entry = entries[0];
    return sendRecord(entry).then(function (result) {
      if (result.kind === "retry") {
        return Promise.resolve();
      }
      // Sent: said so even if the phone's copy could not be dropped (sent again, stored once).
      return remove(entry.client_uuid)
        .catch(function () {
          return [];
        })
        .then(function () {
          if (result.kind === "ok") {
            say(fmt(S.sent, { what: entry.what }), "success");
          } else {
            say(
              fmt(S.refused, { what: entry.what, date: entry.date, reason: reasonOf(result) }),
              "danger"
            );
          }
          if (uuidInput && uuidInput.value === entry.client_uuid) {
            uuidInput.value = uuid4(); // the next answers are new ones
          }
          return sendInOrder(entries.slice(1));
        });
    });
  }

  function flush() {
    if (flushing || navigator.onLine === false) {
      return;
    }
    flushing = true;
    list()
      .then(function (entries) {
        return sendInOrder(
          entries.filter(function (entry) {
            return KINDS.indexOf(entry.kind) !== -1;
          })
        );
      })
      .catch(function () {
        return undefined;
      })
      .then(function () {
        flushing = false;
      });
  }

  open(config.patient)
    .then(function (entries) {
      showWaiting(entries);
      flush();
    })
    .catch(function () {
      return undefined;
    });
  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      flush();
    }
  });
}
