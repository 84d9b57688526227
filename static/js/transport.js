/*
 * Transport: the patient's pages talking to the API (/api/v1/). fetch() with the session's
 * cookie and its CSRF token in X-CSRFToken (a form's hidden input, else the page's
 * hx-headers), JSON both ways, and every answer sorted into the kind the callers act on:
 *
 *   "ok"       2xx; ``json`` is the answer's body (null for 204 No Content)
 *   "refused"  400 or 404: the server will never take it; ``json`` is the API's error body
 *   "retry"    no connection, a server error, a sign-in or CSRF refusal (401, 403), the
 *              database briefly away (503): keep it and send it again later. ``unsent``: it
 *              never left the phone (offline), so the server cannot have it; any other
 *              "retry" may have reached the server (an answer lost on its way back)
 *
 * send() never rejects. reasonOf() puts a refusal in the server's own words.
 */

const retry = (status) => ({ kind: "retry", status, json: null });

export function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (input) {
    return input.value;
  }
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch (error) {
    return "";
  }
}

/* ``method`` to the API at ``url``, with ``data`` (if any) as its JSON body. Resolves to
   {kind, status, json}. */
export function send(method, url, data) {
  if (navigator.onLine === false) {
    return Promise.resolve(Object.assign(retry(0), { unsent: true }));
  }
  const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
  const init = { method, credentials: "same-origin", headers };
  if (data !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(data);
  }
  return fetch(url, init)
    .then((response) => {
      const isJson = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
      const body = isJson ? response.json().catch(() => null) : Promise.resolve(null);
      return body.then((json) => {
        if (response.status === 400 || response.status === 404) {
          return { kind: "refused", status: response.status, json };
        }
        if (!response.ok || (response.status !== 204 && !isJson)) {
          return retry(response.status);
        }
        return { kind: "ok", status: response.status, json };
      });
    })
    .catch(() => retry(0));
}

/* The API's 400 or 404 in words: {"field": ["…"], "codes": {…}} or {"detail": "…"}. */
export function reasonOf(result) {
  const body = result.json;
  let words = [];
  if (body && typeof body === "object") {
    Object.keys(body).forEach((key) => {
      if (key !== "codes") {
        words = words.concat(body[key]);
      }
    });
  }
  return words.filter((word) => typeof word === "string" && word).join(" ") || String(result.status);
}
