// Evaluation page: a section saved in another tab comes back as 409 with the therapist's
// input kept; show it rather than dropping it. A lost connection says so beside the section.
(function () {
  "use strict";
  function statusFor(elt) {
    var form = elt && elt.closest ? elt.closest("form[id^='f-']") : null;
    return form ? document.getElementById("status-" + form.id.slice(2)) : null;
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:sendError", function (event) {
    var status = statusFor(event.detail.elt);
    if (!status) return;
    status.textContent = "Not saved: no connection. What you typed stays here; it saves when you change something again or press Save.";
    status.classList.add("text-danger", "fw-semibold");
  });
  // The server answered but could not save (503 while the database is down): show its
  // line beside the section. What was typed stays; the next change or Save sends it again.
  document.addEventListener("htmx:responseError", function (event) {
    var status = statusFor(event.detail.elt);
    var xhr = event.detail.xhr;
    if (!status || xhr.status === 409) return;
    status.textContent = xhr.status === 503 && xhr.responseText
      ? xhr.responseText
      : "Not saved: something went wrong on the server. What you typed stays here; press Save to try again.";
    status.classList.add("text-danger", "fw-semibold");
  });
  // "Where felt": the fold's heading lists the regions chosen, in the chart's words, as the
  // therapist taps them (the server writes the same words when it renders the page).
  document.addEventListener("change", function (event) {
    var box = event.target;
    var picker = box && box.closest ? box.closest("[data-region-picker]") : null;
    if (!picker) return;
    var words = [];
    picker.querySelectorAll("input[type=checkbox]:checked").forEach(function (checked) {
      if (checked.labels && checked.labels.length) words.push(checked.labels[0].textContent.trim());
    });
    var shown = picker.querySelector("[data-region-chosen]");
    if (shown) shown.textContent = words.length ? words.join("; ") : "none chosen";
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var status = statusFor(event.detail.elt);
    if (status && status.classList.contains("text-danger")) {
      status.classList.remove("text-danger", "fw-semibold");
      status.textContent = "Saving…";
    }
  });
})();
