// The plan builder: keep keyboard focus in a sensible place after htmx replaces the builder.
//
// Every edit on the builder swaps the whole builder body (so that all forms carry the new plan
// version). The element the clinician used is replaced too, so focus would fall back to the
// page: put it back on the same control (or the first field with an error), and repeat the
// status message so screen readers announce it.
(function () {
  "use strict";

  let lastFormId = null;
  let lastValue = null;
  let swappingBody = false;

  function isHidden(element) {
    return element.closest("details:not([open])") !== null;
  }

  function focusable(element) {
    if (!element) {
      return null;
    }
    const closed = element.closest("details:not([open])");
    if (closed) {
      return closed.querySelector("summary");
    }
    return element;
  }

  function controlToFocus(body) {
    const marked = body.querySelector("[data-autofocus]");
    if (marked) {
      return marked;
    }
    const invalid = body.querySelector(".is-invalid");
    if (invalid && !isHidden(invalid)) {
      return invalid;
    }
    const form = lastFormId ? document.getElementById(lastFormId) : null;
    if (form) {
      const same = lastValue
        ? form.querySelector('button[value="' + CSS.escape(lastValue) + '"]:not([disabled])')
        : null;
      return focusable(same || form.querySelector("button:not([disabled]), input:not([type=hidden]), select, textarea"));
    }
    return document.getElementById("builder-status");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    const form = event.detail.elt;
    const submit = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    lastFormId = form && form.id ? form.id : null;
    lastValue = submit && submit.submitter ? submit.submitter.value : null;
    swappingBody = Boolean(event.detail.target && event.detail.target.id === "builder-body");
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    const body = document.getElementById("builder-body");
    if (!body || !swappingBody) {
      return;
    }
    swappingBody = false;
    const status = document.getElementById("builder-status");
    if (status && status.innerHTML.trim()) {
      const html = status.innerHTML;
      status.innerHTML = "";
      window.setTimeout(function () {
        status.innerHTML = html;
      }, 50);
    }
    const target = controlToFocus(body);
    if (target) {
      target.focus();
    }
  });
})();
