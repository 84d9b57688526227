// The plan builder: keep keyboard focus and scroll where the clinician is after htmx replaces
// the builder, and let exercises be reordered or moved between phases by drag and drop.
//
// Every edit on the builder swaps the whole builder body (so that all forms carry the new plan
// version). The element the clinician used is replaced too, so focus would fall back to the
// page: put it back on the same control (or the first field with an error); when its form has
// gone (saved, or closed with Cancel) on the link that opens that form again, else on the
// exercise it was about; failing those (an exercise removed) on the status message, once it is
// shown again. Keep the library panel's scroll, bring a just-added (or moved) exercise and its
// confirmation into view, and repeat the status message so screen readers announce it.
//
// Dragging is a shortcut for the buttons that stay on the page (up/down, "Move to another
// phase"): within a phase it presses up or down as many times as needed; into another phase it
// sends the move form, and the server asks for the guardrail reason before a too-early move is
// saved (the move form comes back with its reason field).
//
// An exercise's data-rx is its opaque id, as in its element's id and its forms' prefixes
// ("rx-GZUcnUYI", "rxmove-GZUcnUYI-phase"); a phase's data-phase is the value its move form's
// phase field takes (sent in the POST body, never in an address).
//
// The buttons that act at once (up, down, remove) have no form of their own: they send the
// page's one action form (#builder-actions) to their own address (formaction, hx-post), so a
// button is known again after the swap by that address and its value.
(function () {
  "use strict";

  let lastFormId = null;
  let lastAction = null; // the address of the used button that has no form of its own
  let lastValue = null;
  let lastEdit = null; // the open edit form's key (data-edit), e.g. "rx-GZUcnUYI" for a dose
  let lastRowId = null; // the exercise (li#rx-…) the used control belongs to
  let swappingBody = false;
  let libraryScroll = 0;

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
    if (lastAction) {
      // The same button (up, down, remove), or the other one of its pair if it is disabled now.
      const buttons = Array.from(
        body.querySelectorAll('button[formaction="' + CSS.escape(lastAction) + '"]:not([disabled])'),
      );
      const same = buttons.find(function (button) {
        return button.value === lastValue;
      });
      if (same || buttons.length) {
        return focusable(same || buttons[0]);
      }
    }
    const form = lastFormId ? document.getElementById(lastFormId) : null;
    if (form) {
      const same = lastValue
        ? form.querySelector('button[value="' + CSS.escape(lastValue) + '"]:not([disabled])')
        : null;
      return focusable(same || form.querySelector("button:not([disabled]), input:not([type=hidden]), select, textarea"));
    }
    const opener = lastEdit
      ? body.querySelector('[data-edit-opener="' + CSS.escape(lastEdit) + '"]')
      : null;
    if (opener) {
      return focusable(opener);
    }
    const row = lastRowId ? document.getElementById(lastRowId) : null;
    if (row) {
      return focusable(row.querySelector("a[href], button:not([disabled])"));
    }
    return null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    const library = document.getElementById("library");
    libraryScroll = library ? library.scrollTop : 0;
    if (elt && elt.id === "builder-body") {
      // A drag and drop (htmx.ajax from the body): reorder() or moveToPhase() said what moved.
      swappingBody = true;
      return;
    }
    const submit = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    lastFormId = elt && elt.id ? elt.id : null;
    lastAction = elt && elt.getAttribute ? elt.getAttribute("formaction") : null;
    lastValue = lastAction ? elt.value : submit && submit.submitter ? submit.submitter.value : null;
    const edit = elt && elt.closest ? elt.closest("[data-edit]") : null;
    lastEdit = edit ? edit.dataset.edit : null;
    const row = elt && elt.closest ? elt.closest(".builder-rx[id]") : null;
    lastRowId = row ? row.id : null;
    swappingBody = Boolean(event.detail.target && event.detail.target.id === "builder-body");
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    const body = document.getElementById("builder-body");
    if (!body || !swappingBody) {
      return;
    }
    swappingBody = false;
    const library = document.getElementById("library");
    if (library) {
      library.scrollTop = libraryScroll;
    }
    const changed = body.querySelector("[data-changed]");
    const target = controlToFocus(body);
    if (target) {
      target.focus({ preventScroll: Boolean(changed) });
    }
    // The status is emptied then filled again, so that screen readers announce it. Emptied it
    // is hidden (builder.css) and cannot take the focus: when nothing else is to have it, it
    // takes it once shown again (the page's title if there is no message).
    const status = document.getElementById("builder-status");
    const message = status ? status.innerHTML.trim() : "";
    if (message) {
      status.innerHTML = "";
      window.setTimeout(function () {
        status.innerHTML = message;
        if (!target && (!document.activeElement || document.activeElement === document.body)) {
          status.focus();
        }
      }, 50);
    } else if (!target) {
      const title = document.getElementById("builder-title");
      if (title) {
        title.focus();
      }
    }
    if (changed) {
      changed.scrollIntoView({ block: "center" });
    }
  });

  // --- Drag and drop ------------------------------------------------------------------------

  let dragged = null;

  function planVersion() {
    const body = document.getElementById("builder-body");
    return body ? body.dataset.planVersion : "";
  }

  function post(url, values) {
    return window.htmx.ajax("POST", url, {
      source: document.getElementById("builder-body"),
      target: "#builder-body",
      swap: "outerHTML",
      values: values,
    });
  }

  function reorder(rxId, steps) {
    const row = document.getElementById("rx-" + rxId);
    const button = row ? row.querySelector('button[name="direction"]') : null;
    if (!button || steps === 0) {
      return;
    }
    swappingBody = true;
    lastFormId = null;
    lastAction = button.getAttribute("formaction");
    lastValue = steps < 0 ? "up" : "down";
    lastEdit = null;
    lastRowId = row.id;
    post(lastAction, { version: planVersion(), direction: lastValue }).then(
      function () {
        reorder(rxId, steps < 0 ? steps + 1 : steps - 1);
      },
    );
  }

  function moveToPhase(item, phaseId) {
    const prefix = "rxmove-" + item.dataset.rx + "-";
    const values = {};
    values[prefix + "version"] = planVersion();
    values[prefix + "phase"] = phaseId;
    swappingBody = true;
    lastFormId = null;
    lastAction = null;
    lastValue = null;
    lastEdit = null;
    lastRowId = item.id;
    post(item.dataset.moveUrl, values);
  }

  document.addEventListener("dragstart", function (event) {
    const item = event.target.closest ? event.target.closest("li[data-rx]") : null;
    if (!item) {
      return;
    }
    dragged = item;
    item.classList.add("builder-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.rx);
  });

  document.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("builder-dragging");
    }
    dragged = null;
    document.querySelectorAll(".builder-drop-target").forEach(function (el) {
      el.classList.remove("builder-drop-target");
    });
  });

  document.addEventListener("dragover", function (event) {
    const phase = dragged && event.target.closest ? event.target.closest("[data-phase]") : null;
    if (!phase) {
      return;
    }
    event.preventDefault();
    document.querySelectorAll(".builder-drop-target").forEach(function (el) {
      if (el !== phase) {
        el.classList.remove("builder-drop-target");
      }
    });
    phase.classList.add("builder-drop-target");
  });

  document.addEventListener("drop", function (event) {
    const phase = dragged && event.target.closest ? event.target.closest("[data-phase]") : null;
    if (!phase) {
      return;
    }
    event.preventDefault();
    const item = dragged;
    const from = item.closest("[data-phase]");
    if (from === phase) {
      const over = event.target.closest("li[data-rx]");
      if (!over || over === item) {
        return;
      }
      const items = Array.from(phase.querySelectorAll("li[data-rx]"));
      reorder(item.dataset.rx, items.indexOf(over) - items.indexOf(item));
    } else {
      moveToPhase(item, phase.dataset.phase);
    }
  });
})();
