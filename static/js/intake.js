// Tablet intake: one tap sends the form once (a double tap on a slow connection must
// not look like a failure), and the save status reflects a lost connection.
(function () {
  "use strict";
  function init() {
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var button = event.submitter;
        if (!button || !button.hasAttribute("data-submit-once")) return;
        if (form.dataset.sending === "1") {
          event.preventDefault();
          return;
        }
        form.dataset.sending = "1";
        // Disable after the browser has read the button's name and formaction.
        window.setTimeout(function () {
          button.disabled = true;
          button.textContent = "Sending…";
        }, 0);
      });
    });
    var status = document.getElementById("save-status");
    if (!status) return;
    document.body.addEventListener("htmx:sendError", function () {
      status.textContent = "Not saved: no connection. Your answers stay on this screen; tap Next when you are back online.";
      status.classList.add("text-danger");
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) status.classList.remove("text-danger");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
