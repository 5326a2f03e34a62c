// Tablet intake: one tap sends the form once (a double tap on a slow connection must
// not look like a failure), and the save status reflects a lost connection.
// The words are the page's, in the patient's language: data-msg-sending on the button,
// data-msg-offline and data-msg-error on #save-status (templates/intake/kiosk/step.html);
// the English below is only for a page that does not carry them.
(function () {
  "use strict";
  function message(element, name, english) {
    return element.getAttribute("data-msg-" + name) || english;
  }
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
          button.textContent = message(button, "sending", "Sending…");
        }, 0);
      });
    });
    var status = document.getElementById("save-status");
    if (!status) return;
    document.body.addEventListener("htmx:sendError", function () {
      status.textContent = message(
        status,
        "offline",
        "Not saved: no connection. Your answers stay on this screen; tap Next when you are back online."
      );
      status.classList.add("text-danger");
    });
    // The server answered but could not save (503 while the clinic's database is down), or
    // refused part of the screen (400: a signature too large to read): show its line. The
    // answers stay on the screen; the next autosave or Next sends them.
    document.body.addEventListener("htmx:responseError", function (event) {
      var xhr = event.detail.xhr;
      status.textContent = (xhr.status === 503 || xhr.status === 400) && xhr.responseText
        ? xhr.responseText
        : message(
            status,
            "error",
            "Not saved: something went wrong. Your answers stay on this screen; tap Next to try again."
          );
      status.classList.add("text-danger");
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) status.classList.remove("text-danger");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
