// Forms marked data-submit-once: after the first submit, their submit buttons are disabled so
// a double click sends one request. (The server refuses duplicates too; this only saves the
// round trip and the confusing second response.)
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) {
      return;
    }
    if (event.defaultPrevented) {
      return; // not sent (a page's script kept it, e.g. no connection): still usable
    }
    if (form.dataset.submitted === "true") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "true";
    // Disable after this event so the clicked button's own name/value is still sent.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
        b.disabled = true;
        b.setAttribute("aria-disabled", "true");
      });
    }, 0);
  });
  // Coming back with the browser's Back button restores the page from cache: re-enable.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
        b.disabled = false;
        b.removeAttribute("aria-disabled");
      });
    });
  });
})();

// After htmx replaces an alert row (Acknowledge), move keyboard focus to the new row so it is
// not lost with the button that was clicked.
document.addEventListener("htmx:afterSettle", function (event) {
  "use strict";
  var target = event.detail && event.detail.target;
  if (!target || !target.id || target.id.indexOf("alert-") !== 0) {
    return;
  }
  var row = document.getElementById(target.id);
  if (row) {
    row.setAttribute("tabindex", "-1");
    row.focus();
  }
});
