// When an htmx request fails outright (a 403, 404 or 500 that htmx does not swap, or no answer at
// all), say so in the page instead of leaving the click without effect. The Danish text comes from
// the template (data attributes on #htmx-error), so it is translated with the rest of the UI.
// Form errors are not handled here: they answer 422 and are swapped (templates/base.html).
(function () {
  function show(detail, key) {
    var box = document.getElementById("htmx-error");
    if (!box) return;
    var status = detail && detail.xhr ? detail.xhr.status : 0;
    var text = box.dataset[key];
    box.querySelector("p").textContent = status ? text.replace("%(status)s", status) : text;
    box.hidden = false;
    box.focus();
  }
  document.addEventListener("htmx:responseError", function (event) { show(event.detail, "response"); });
  document.addEventListener("htmx:sendError", function (event) { show(event.detail, "send"); });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("htmx-error");
    if (box) box.hidden = true;
  });
})();
