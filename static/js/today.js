/*
 * The Today page: tick sets without a reload, keep ticks made offline and send them later.
 * The guided session (today/session.js, with its timers) ticks through the same functions.
 *
 * Without this script every form still works (POST and redirect). With it, the same forms are
 * sent with fetch() and answered in JSON. Each tick carries a client-made UUID, so a tick sent
 * twice (a retry, a flaky connection) is stored once by the server.
 *
 * Offline queue (the outbox, IndexedDB: outbox.js): [{client_uuid, prescription, sets_done,
 * date, pain, effort, note}], with the check-in and ATRS answers (records.js: a ``kind``),
 * oldest first, sent one at a time in order on page load, on the
 * "online" event, on returning to the app, when the service worker's Background Sync asks,
 * and every 30 seconds while not empty. The
 * server answers a repeated UUID with the stored row; if the queued entry has more sets or a
 * pain/effort the stored row lacks, an update follows (same day only).
 */
(function () {
  "use strict";

  var configElement = document.getElementById("today-config");
  if (!configElement) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var S = config.strings;
  var queueStatus = document.getElementById("queue-status");
  var cards = [];

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) {
      return input.value;
    }
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  var uuid4 = window.rehabOutbox.uuid4; // outbox.js, loaded first

  /* The patient's own date (their time zone from the clinic record), as YYYY-MM-DD. */
  function localDate() {
    try {
      var parts = new Intl.DateTimeFormat("en-CA", {
        timeZone: config.timezone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
      }).formatToParts(new Date());
      var get = function (type) {
        return parts.filter(function (p) {
          return p.type === type;
        })[0].value;
      };
      return get("year") + "-" + get("month") + "-" + get("day");
    } catch (error) {
      var d = new Date();
      return (
        d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0")
      );
    }
  }

  function logUrl(template, id) {
    return template.replace("/0/", "/" + id + "/");
  }

  /* --- Talking to the server ------------------------------------------------------------ */

  /* Resolves to {kind: "ok" | "refused" | "retry", status, json}. Never rejects. */
  function send(url, data) {
    if (navigator.onLine === false) {
      return Promise.resolve({ kind: "retry", status: 0, json: null });
    }
    var body = new URLSearchParams();
    Object.keys(data).forEach(function (key) {
      if (data[key] !== null && data[key] !== undefined) {
        body.append(key, data[key]);
      }
    });
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: body,
    })
      .then(function (response) {
        var isJson = (response.headers.get("Content-Type") || "").indexOf("application/json") !== -1;
        if (response.status === 400 || response.status === 404) {
          return (isJson ? response.json() : Promise.resolve(null)).then(function (json) {
            return { kind: "refused", status: response.status, json: json };
          });
        }
        if (!response.ok || !isJson) {
          // A server error, or the sign-in page after a redirect: keep it and try later.
          return { kind: "retry", status: response.status, json: null };
        }
        return response.json().then(function (json) {
          return { kind: "ok", status: response.status, json: json };
        });
      })
      .catch(function () {
        return { kind: "retry", status: 0, json: null };
      });
  }

  function reasonOf(result) {
    if (result.json && result.json.errors) {
      var messages = [];
      Object.keys(result.json.errors).forEach(function (key) {
        messages = messages.concat(result.json.errors[key]);
      });
      return messages.join(" ");
    }
    return String(result.status);
  }

  /* --- The offline queue ---------------------------------------------------------------- */

  /* The outbox (outbox.js: IndexedDB), mirrored here; every change is written through. */
  var memory = [];

  function loadQueue() {
    return memory.map(function (item) {
      return Object.assign({}, item);
    });
  }

  function saveQueue(queue) {
    memory = queue.map(function (item) {
      return Object.assign({}, item);
    });
    if (window.rehabOutbox) {
      window.rehabOutbox.save(memory);
    }
    if (memory.length) {
      askForBackgroundSync();
    }
    showQueue();
  }

  /* Where the browser has Background Sync (not Safari or Firefox), the service worker asks an
     open page to send the outbox when the connection is back; elsewhere the page's own
     triggers (online, returning to the app, opening it, every 30 seconds) are enough. */
  function askForBackgroundSync() {
    if (!("serviceWorker" in navigator) || !window.SyncManager) {
      return;
    }
    navigator.serviceWorker.ready
      .then(function (registration) {
        return registration.sync && registration.sync.register("rehab-outbox");
      })
      .catch(function () {
        /* refused (no permission): the other triggers remain */
      });
  }

  function upsertQueued(entry) {
    var queue = loadQueue();
    var found = false;
    queue.forEach(function (item, index) {
      if (item.client_uuid === entry.client_uuid) {
        queue[index] = Object.assign(item, entry);
        found = true;
      }
    });
    if (!found) {
      queue.push(entry);
    }
    saveQueue(queue);
  }

  function removeQueued(clientUuid) {
    saveQueue(
      loadQueue().filter(function (item) {
        return item.client_uuid !== clientUuid;
      })
    );
  }

  function isQueued(clientUuid) {
    return loadQueue().some(function (item) {
      return item.client_uuid === clientUuid;
    });
  }

  var sentSomething = false;

  function showQueue() {
    if (!queueStatus) {
      return;
    }
    var count = loadQueue().length;
    if (count) {
      queueStatus.className = "rehab-queue alert alert-warning";
      queueStatus.textContent = count === 1 ? S.queued_one : fmt(S.queued_many, { n: count });
    } else if (sentSomething) {
      queueStatus.className = "rehab-queue alert alert-success";
      queueStatus.textContent = S.sent;
    } else {
      queueStatus.className = "rehab-queue";
      queueStatus.textContent = "";
    }
  }

  var flushing = false;

  function flush() {
    if (flushing || navigator.onLine === false) {
      return;
    }
    var queue = loadQueue();
    if (!queue.length) {
      return;
    }
    flushing = true;
    var entry = queue[0];
    var next = function () {
      flushing = false;
      flush();
    };
    var done = function () {
      sentSomething = true;
      removeQueued(entry.client_uuid);
      next();
    };
    if (entry.kind && window.rehabOutbox) {
      flushRecord(entry);
      return;
    }
    send(config.logCreateUrl, {
      client_uuid: entry.client_uuid,
      prescription: entry.prescription,
      sets_done: entry.sets_done,
      date: entry.date,
      pain: entry.pain,
      effort: entry.effort,
      note: entry.note,
    }).then(function (result) {
      if (result.kind === "retry") {
        flushing = false;
        showQueue();
        return;
      }
      var errors = result.json && result.json.errors;
      if (result.kind === "refused" && errors && errors.prescription) {
        sendAsNote(entry).then(function (sent) {
          if (!sent) {
            flushing = false; // kept in the outbox: tried again later
            showQueue();
            return;
          }
          removeQueued(entry.client_uuid);
          if (queueStatus) {
            queueStatus.className = "rehab-queue alert alert-info";
            queueStatus.textContent = fmt(S.keptAsNote, { name: entry.name || "" });
          }
          flushing = false;
          flush();
        });
        return;
      }
      if (result.kind === "refused") {
        removeQueued(entry.client_uuid);
        var card = cardFor(entry.prescription);
        if (card) {
          say(card, fmt(S.refused, { reason: reasonOf(result) }));
        }
        next();
        return;
      }
      var stored = result.json;
      linkStored(entry.client_uuid, stored);
      var changes = {};
      if (entry.sets_done > stored.sets_done) {
        changes.sets_done = entry.sets_done;
      }
      ["pain", "effort", "note"].forEach(function (key) {
        if (entry[key] !== undefined && entry[key] !== null && String(entry[key]) !== String(stored[key])) {
          changes[key] = entry[key];
        }
      });
      if (!Object.keys(changes).length || stored.date !== localDate()) {
        done();
        return;
      }
      send(stored.update_url, changes).then(function (update) {
        if (update.kind === "retry") {
          flushing = false;
          showQueue();
          return;
        }
        done();
      });
    });
  }

  /* A check-in or ATRS answer kept on the phone (records.js): to the API, in its turn. */
  function flushRecord(entry) {
    window.rehabOutbox.sendRecord(entry).then(function (result) {
      if (result.kind === "retry") {
        flushing = false;
        showQueue();
        return;
      }
      sentSomething = true;
      removeQueued(entry.client_uuid);
      if (result.kind === "refused" && queueStatus) {
        queueStatus.className = "rehab-queue alert alert-danger";
        queueStatus.textContent = fmt(S.recordRefused, {
          what: entry.what,
          date: entry.date,
          reason: window.rehabOutbox.reasonOf(result),
        });
      }
      flushing = false;
      flush();
    });
  }

  /* --- Cards ---------------------------------------------------------------------------- */

  function cardFor(prescriptionId) {
    return cards.filter(function (card) {
      return card.rx === Number(prescriptionId);
    })[0];
  }

  /* A queued tick reached the server: remember its id so pain, effort and undo can use it. */
  function linkStored(clientUuid, stored) {
    cards.forEach(function (card) {
      [card.open, card.last].forEach(function (entry) {
        if (entry && entry.uuid === clientUuid) {
          entry.id = stored.id;
        }
      });
      render(card);
    });
  }

  function say(card, text) {
    var message = card.el.querySelector("[data-role=message]");
    if (message) {
      message.textContent = text;
    }
  }

  function isDone(card) {
    return card.sessions >= Math.max(card.times, 1) && !card.open;
  }

  function render(card) {
    var done = isDone(card);
    var shown = card.open ? card.open.sets : done && card.last ? card.last.sets : 0;
    var setsText = card.el.querySelector("[data-role=sets-text]");
    var sessionsText = card.el.querySelector("[data-role=sessions-text]");
    if (setsText) {
      setsText.textContent = fmt(S.setsDone, { done: shown, sets: card.sets });
    }
    if (sessionsText) {
      sessionsText.textContent = fmt(S.sessionsDone, { done: card.sessions, times: card.times });
    }
    card.el.classList.toggle("is-done", done);
    var badge = card.el.querySelector("[data-role=done-badge]");
    if (badge) {
      badge.hidden = !done;
    }
    ["tick", "start"].forEach(function (role) {
      var part = card.el.querySelector("[data-role=" + role + "]");
      if (part) {
        part.hidden = done;
      }
    });
    if (card.last) {
      addForms(card);
    }
    ["feedback", "undo"].forEach(function (role) {
      var form = card.el.querySelector("[data-role=" + role + "]");
      if (form) {
        form.hidden = !card.last;
        if (card.last && card.last.id) {
          form.action = logUrl(role === "undo" ? config.logUndoUrl : config.logUpdateUrl, card.last.id);
        }
      }
    });
  }

  function cardName(card) {
    var name = card.el.querySelector("#rx-" + card.rx + "-name");
    return name ? name.textContent.trim() : "";
  }

  /* A queued tick the server refused because its exercise left the plan meanwhile (the
     clinician removed it): nothing is lost silently; it goes to the clinic as a message in
     the patient's words. Resolves true once sent. */
  function sendAsNote(entry) {
    if (!config.messagesUrl || navigator.onLine === false) {
      return Promise.resolve(false);
    }
    var body = new URLSearchParams();
    body.append(
      "body",
      fmt(S.noteToClinic, { name: entry.name || "?", sets: entry.sets_done, date: entry.date })
    );
    return fetch(config.messagesUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
      body: body,
    })
      .then(function (response) {
        // Sent: the thread again (after its redirect); not sent: the sign-in page, an error.
        return response.ok && new URL(response.url).pathname === config.messagesUrl;
      })
      .catch(function () {
        return false;
      });
  }

  function queueEntry(card, entry, extra) {
    return Object.assign(
      {
        client_uuid: entry.uuid,
        prescription: card.rx,
        name: cardName(card),
        sets_done: entry.sets,
        date: entry.date,
      },
      extra || {}
    );
  }

  function create(card, entry) {
    var data = queueEntry(card, entry);
    send(config.logCreateUrl, data).then(function (result) {
      if (result.kind === "ok") {
        entry.id = result.json.id;
        if (entry.sets > result.json.sets_done) {
          // Another set was ticked while the first request was on its way.
          update(card, entry, { sets_done: entry.sets });
        }
        say(card, adviceOr(result, S.saved));
      } else if (result.kind === "retry") {
        upsertQueued(queueEntry(card, entry));
        say(card, S.offline);
      } else {
        removeQueued(entry.uuid);
        revert(card, entry);
        say(card, fmt(S.refused, { reason: reasonOf(result) }));
      }
      render(card);
    });
  }

  function update(card, entry, changes) {
    if (!entry.id || isQueued(entry.uuid)) {
      upsertQueued(queueEntry(card, entry, changes));
      flush();
      return;
    }
    send(logUrl(config.logUpdateUrl, entry.id), changes).then(function (result) {
      if (result.kind === "ok") {
        say(card, adviceOr(result, S.saved));
      } else if (result.kind === "retry") {
        upsertQueued(queueEntry(card, entry, changes));
        say(card, S.offline);
      } else {
        say(card, fmt(S.refused, { reason: reasonOf(result) }));
      }
    });
  }

  /* Issue 16: pain of 7 or more comes back with advice (stop this exercise, contact the
     clinic), said at once instead of "Saved." */
  function adviceOr(result, otherwise) {
    return (result.json && result.json.advice) || otherwise;
  }

  function revert(card, entry) {
    card.sessions = Math.max(0, card.sessions - 1);
    if (card.open === entry) {
      card.open = null;
    }
    if (card.last === entry) {
      card.last = null;
    }
    render(card);
  }

  /* One tap: one set (``all`` false) or the whole session. */
  function tick(card, all) {
    if (card.open) {
      var entry = card.open;
      entry.sets = all ? card.sets : Math.min(entry.sets + 1, card.sets);
      if (entry.sets >= card.sets) {
        card.open = null;
      }
      render(card);
      update(card, entry, { sets_done: entry.sets });
      return;
    }
    var fresh = { uuid: uuid4(), id: null, sets: all ? card.sets : 1, date: localDate() };
    card.sessions += 1;
    card.last = fresh;
    if (fresh.sets < card.sets) {
      card.open = fresh;
    }
    render(card);
    create(card, fresh);
  }

  function setupCard(element) {
    var data = element.dataset;
    var card = {
      el: element,
      rx: Number(data.rx),
      sets: Number(data.sets) || 1,
      times: Number(data.times) || 1,
      reps: data.reps ? Number(data.reps) : 0,
      hold: data.hold ? Number(data.hold) : 0,
      minutes: data.minutes ? Number(data.minutes) : 0,
      sessions: Number(data.sessions) || 0,
      open: null,
      last: null,
    };
    if (data.lastUuid) {
      card.last = {
        uuid: data.lastUuid,
        id: Number(data.lastId),
        sets: Number(data.lastSets) || 0,
        date: config.today,
      };
    }
    if (data.openUuid) {
      card.open = card.last && card.last.uuid === data.openUuid ? card.last : null;
      if (!card.open) {
        card.open = { uuid: data.openUuid, id: Number(data.openId), sets: Number(data.openSets) || 0, date: config.today };
      }
    }
    element.querySelector("[data-role=tick]").addEventListener("submit", function (event) {
      event.preventDefault();
      var submitter = event.submitter;
      tick(card, !submitter || submitter.dataset.action === "all");
    });
    bindForms(card);
    cards.push(card);
    return card;
  }

  /* A card's pain, effort and undo forms come with it only once it has a tick; a card first
     ticked here gets them from the page's one template. */
  function addForms(card) {
    if (card.el.querySelector("[data-role=feedback]")) {
      return;
    }
    var template = document.getElementById("feedback-forms");
    if (!template) {
      return;
    }
    var copy = template.content.cloneNode(true);
    var own = function (value) {
      return value.replace(/^rx-0-/, "rx-" + card.rx + "-");
    };
    copy.querySelectorAll("[id]").forEach(function (el) {
      el.id = own(el.id);
    });
    copy.querySelectorAll("[for]").forEach(function (el) {
      el.setAttribute("for", own(el.getAttribute("for")));
    });
    var name = card.el.querySelector("#rx-" + card.rx + "-name");
    copy.querySelector("[data-role=undo-label]").textContent = fmt(S.undoOf, {
      name: name ? name.textContent.trim() : "",
    });
    card.el.querySelector(".card-body").appendChild(copy);
    bindForms(card);
  }

  function bindForms(card) {
    var element = card.el;
    var feedback = element.querySelector("[data-role=feedback]");
    if (!feedback) {
      return;
    }
    feedback.querySelectorAll("input[type=range]").forEach(function (input) {
      var output = feedback.querySelector("output[for='" + input.id + "']");
      input.addEventListener("input", function () {
        if (output) {
          output.textContent = input.value;
        }
      });
    });
    feedback.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!card.last) {
        return;
      }
      update(card, card.last, {
        pain: feedback.elements.pain.value,
        effort: feedback.elements.effort.value,
        note: feedback.elements.note.value,
      });
    });
    element.querySelector("[data-role=undo]").addEventListener("submit", function (event) {
      event.preventDefault();
      var entry = card.last;
      if (!entry) {
        return;
      }
      if (!entry.id || isQueued(entry.uuid)) {
        // Never reached the server (or only partly): forgetting it here is enough,
        // unless it has an id, in which case the server copy is undone too.
        removeQueued(entry.uuid);
        if (!entry.id) {
          revert(card, entry);
          say(card, S.undone);
          return;
        }
      }
      send(logUrl(config.logUndoUrl, entry.id), {}).then(function (result) {
        if (result.kind === "ok") {
          revert(card, entry);
          say(card, S.undone);
        } else if (result.kind === "retry") {
          say(card, S.undoOffline);
        } else {
          say(card, fmt(S.refused, { reason: reasonOf(result) }));
        }
      });
    });
  }

  /* Ticks still waiting in the queue show as ticked after a reload. */
  function applyQueued() {
    var today = localDate();
    loadQueue().forEach(function (item) {
      var card = cardFor(item.prescription);
      if (!card || item.date !== today) {
        return;
      }
      var known = [card.open, card.last].filter(function (entry) {
        return entry && entry.uuid === item.client_uuid;
      })[0];
      if (known) {
        known.sets = Math.max(known.sets, Number(item.sets_done) || 0);
        if (card.open === known && known.sets >= card.sets) {
          card.open = null;
        }
      } else {
        var entry = { uuid: item.client_uuid, id: null, sets: Number(item.sets_done) || 1, date: item.date };
        card.sessions += 1;
        card.last = entry;
        card.open = entry.sets < card.sets ? entry : null;
      }
    });
    cards.forEach(render);
  }

  document.querySelectorAll(".rehab-card[data-rx]").forEach(setupCard);

  /* What the guided session (today/session.js) uses: the same ticks as the card's buttons. */
  window.rehabToday = {
    cards: function () {
      return cards.slice();
    },
    isDone: isDone,
    nameOf: function (card) {
      var name = card.el.querySelector("#rx-" + card.rx + "-name");
      return name ? name.textContent.trim() : "";
    },
    /* One set done. */
    tick: function (card) {
      tick(card, false);
    },
    /* Pain and effort of the card's last tick (only the answered ones). */
    feedback: function (card, changes) {
      if (card.last) {
        update(card, card.last, changes);
      }
    },
  };
  /* Opening the app: read the outbox, show what waits, send it. */
  var opened = window.rehabOutbox ? window.rehabOutbox.open(config.patient) : Promise.resolve([]);
  opened
    .catch(function () {
      return [];
    })
    .then(function (entries) {
      // A tick made in the moment before the outbox was read joins the entries read.
      var early = memory.filter(function (item) {
        return !entries.some(function (entry) {
          return entry.client_uuid === item.client_uuid;
        });
      });
      memory = entries.concat(early);
      if (early.length && window.rehabOutbox) {
        window.rehabOutbox.save(memory);
      }
      applyQueued();
      showQueue();
      flush();
    });
  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      flush();
    }
  });
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "flush-outbox") {
        flush();
      }
    });
  }
  window.setInterval(function () {
    if (loadQueue().length) {
      flush();
    }
  }, 30000);
})();
