// A table wider than its card scrolls sideways inside its .table-wrap. A keyboard user can
// scroll such a wrap only when it can take focus (WCAG 2.1.1; axe-core's
// scrollable-region-focusable), so a wrap that scrolls becomes a focusable group named like
// its table, and stops being one when the window grows and the table fits again. A group, not
// a region: the card around it is already the region of that name. Runs on load, on a resize
// and as soon as htmx swaps in new rows.
(function () {
  "use strict";

  // The group's name: the table's caption, or the heading that names its table or its card.
  function labelIds(wrap) {
    var table = wrap.querySelector("table");
    if (table && table.caption && table.caption.id) return table.caption.id;
    if (table && table.getAttribute("aria-labelledby")) return table.getAttribute("aria-labelledby");
    var labelled = wrap.closest("[aria-labelledby]");
    return labelled ? labelled.getAttribute("aria-labelledby") : null;
  }

  function mark(wrap) {
    var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    var marked = wrap.hasAttribute("data-scrolls");
    if (scrolls && !marked) {
      wrap.setAttribute("data-scrolls", "");
      wrap.setAttribute("tabindex", "0");
      var ids = labelIds(wrap);
      if (ids) {
        wrap.setAttribute("role", "group");
        wrap.setAttribute("aria-labelledby", ids);
      }
    } else if (!scrolls && marked) {
      ["data-scrolls", "tabindex", "role", "aria-labelledby"].forEach(function (name) {
        wrap.removeAttribute(name);
      });
    }
  }

  function markAll() {
    document.querySelectorAll(".table-wrap").forEach(mark);
  }

  var pending = null;
  function later() {
    if (pending) window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(function () {
      pending = null;
      markAll();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markAll);
  } else {
    markAll();
  }
  window.addEventListener("resize", later);
  // In the task that swapped the new rows in: no moment when they scroll and cannot take focus.
  document.addEventListener("htmx:afterSwap", markAll);
})();
