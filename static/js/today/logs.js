/*
 * Today's ticks as the API takes them: POST /api/v1/logs/ (a tick, idempotent by its client
 * UUID: 201 stored, 200 the row already stored for that UUID), GET /api/v1/logs/?client_uuid=
 * (that tick, if the server has it), PATCH /api/v1/logs/<id>/ (its
 * sets, pain, effort or note, same day only) and DELETE /api/v1/logs/<id>/ (undo, 204), through
 * transport.js (session sign-in, CSRF, the result kinds). The same contract and errors as every
 * other client of the API.
 *
 * The API takes JSON numbers, and "not answered" as null: values from the page's forms
 * (strings, "" for "No answer") and entries an earlier version kept in the outbox are made so
 * here. Ids (``prescription``, a log's) are the API's opaque strings, sent as they are.
 */
import { send } from "../transport.js";

const NUMBERS = ["sets_done", "pain", "effort"];
const SCORES = ["pain", "effort"];
const TICK = ["client_uuid", "prescription", "sets_done", "date", "pain", "effort", "note"];
const CHANGES = ["sets_done", "pain", "effort", "note"];

/* A form's or an old entry's value as the API takes it: "" is null, "3" is 3. */
export function value(key, raw) {
  if (raw === undefined) {
    return undefined;
  }
  if (NUMBERS.indexOf(key) === -1) {
    return raw;
  }
  if (raw === null || raw === "") {
    return null;
  }
  const number = Number(raw);
  return Number.isFinite(number) ? number : raw; // not a number: the API says what is wrong
}

function body(fields, keys, keepNull) {
  const out = {};
  keys.forEach((key) => {
    const given = value(key, fields[key]);
    if (given === undefined || (given === null && keepNull.indexOf(key) === -1)) {
      return;
    }
    out[key] = given;
  });
  return out;
}

export function detailUrl(logsUrl, id) {
  return logsUrl + id + "/";
}

/* A tick ({client_uuid, prescription, sets_done, date, pain?, effort?, note?}); unanswered
   fields are left out. */
export function createLog(logsUrl, entry) {
  return send("POST", logsUrl, body(entry, TICK, []));
}

/* Only the fields in ``changes`` change; a pain or effort of "" or null: not answered. */
export function updateLog(logsUrl, id, changes) {
  return send("PATCH", detailUrl(logsUrl, id), body(changes, CHANGES, SCORES));
}

/* The tick the server stored for ``clientUuid`` (the API's row), or null if it has none;
   resolves to transport.js's result with ``row``. */
export function findLog(logsUrl, clientUuid) {
  return send("GET", logsUrl + "?client_uuid=" + encodeURIComponent(clientUuid)).then((result) =>
    Object.assign(result, { row: result.kind === "ok" ? result.json.results[0] || null : null })
  );
}

export function undoLog(logsUrl, id) {
  return send("DELETE", detailUrl(logsUrl, id));
}

/* Undo the tick the server stored for ``clientUuid``, if it has one (its answer was lost on
   the way back, so the phone has not its id). Resolves to {row: the row found, or null;
   result: "ok" when the server has none now (none stored, or undone; a 404 to the undo:
   undone already), else the failed request's result (transport.js)}. */
export function undoByClientUuid(logsUrl, clientUuid) {
  return findLog(logsUrl, clientUuid).then((found) => {
    if (!found.row) {
      return { row: null, result: found };
    }
    return undoLog(logsUrl, found.row.id).then((undone) => {
      const gone = undone.kind === "refused" && undone.status === 404;
      return { row: found.row, result: gone ? { kind: "ok", status: 404, json: null } : undone };
    });
  });
}
