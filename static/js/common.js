/*
 * What the patient's page scripts share: a translated string filled in, and the patient's own
 * date (their time zone from the clinic's record), as the server counts days.
 */

/* "Sets done: %(done)s of %(sets)s" with {done: 1, sets: 3}; a missing value is left empty. */
export function fmt(template, values) {
  return template.replace(/%\((\w+)\)s/g, (match, key) =>
    values[key] === undefined || values[key] === null ? "" : String(values[key])
  );
}

/* The phone's own calendar date, YYYY-MM-DD. */
export function deviceDate() {
  const d = new Date();
  return [d.getFullYear(), String(d.getMonth() + 1).padStart(2, "0"), String(d.getDate()).padStart(2, "0")].join("-");
}

/* Today in ``timeZone``, YYYY-MM-DD; ``fallback`` (default: the phone's date) when the browser
   does not know the zone. */
export function localDate(timeZone, fallback) {
  try {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    }).formatToParts(new Date());
    const get = (type) => parts.filter((part) => part.type === type)[0].value;
    return get("year") + "-" + get("month") + "-" + get("day");
  } catch (error) {
    return fallback || deviceDate();
  }
}
