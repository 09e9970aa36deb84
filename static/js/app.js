// Page behaviour shared by every page (loaded with `defer` from templates/base.html; no inline script,
// so a Content-Security-Policy without 'unsafe-inline' can come).
// 1. Det Fælles Designsystem's components (accordions, error summary, ...): DKFDS.init(), again for
//    content htmx swaps in.
// 2. Text areas grow with their content: CSS `field-sizing: content` where the browser has it
//    (static/css/app.css), else this fallback sets the height from scrollHeight on input.
// 3. A <details data-focus-on-open="#field"> moves the focus into its form when it is opened: to the
//    first field with an error, else to the field named (e.g. the samtale form's first field to fill).
(function () {
  "use strict";

  var NATIVE_SIZING = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");

  function grow(area) {
    if (NATIVE_SIZING) return;
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 2 + "px";
  }

  function growAll(scope) {
    if (NATIVE_SIZING) return;
    var areas = (scope || document).querySelectorAll("textarea");
    for (var i = 0; i < areas.length; i++) grow(areas[i]);
  }

  function initDesignSystem(scope) {
    if (!window.DKFDS || typeof window.DKFDS.init !== "function") return;
    try {
      window.DKFDS.init(scope ? { scope: scope } : undefined);
    } catch (error) {
      // A component missing on this page must not stop the rest of the page's behaviour.
      if (window.console) console.warn("DKFDS.init:", error);
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target && event.target.tagName === "TEXTAREA") grow(event.target);
  });

  // "toggle" does not bubble: listen in the capture phase.
  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (!details || !details.open || !details.dataset || !details.dataset.focusOnOpen) return;
      var field =
        details.querySelector(".has-error textarea, .has-error input, .has-error select") ||
        details.querySelector(details.dataset.focusOnOpen);
      if (field) field.focus();
    },
    true
  );

  document.addEventListener("DOMContentLoaded", function () {
    initDesignSystem();
    growAll(document);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    growAll(event.target);
  });
})();
