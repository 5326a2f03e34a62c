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
  // Carrying forward (evaluations/carry.py): "last: 4/5" beside an empty input copies the
  // last signed evaluation's value into it; "Copy row" and "Copy all" copy every such value
  // in a row or a section. Copied names go in the form's "copied" field for the audit
  // trail, and one input event starts the usual autosave.
  function copyOne(button) {
    var input = document.getElementById(button.dataset.carryFor);
    var form = button.closest("form");
    if (!form) return false;
    var values = JSON.parse(button.dataset.carryValues || "[]");
    var name = button.dataset.carryName;
    var target = null;
    if (input && input.tagName === "SELECT") {
      input.value = values[0];
      target = input;
    } else if (input && input.type === "checkbox") {
      input.checked = true;
      target = input;
    } else if (input && (input.tagName === "INPUT" || input.tagName === "TEXTAREA") && input.type !== "radio") {
      input.value = values[0];
      target = input;
    } else {
      // Radios and multi-select toggles: tick the options named.
      form.querySelectorAll("input[name='" + name + "']").forEach(function (option) {
        if (values.indexOf(option.value) !== -1) { option.checked = true; target = option; }
      });
    }
    if (!target) return false;
    var copied = form.querySelector("input[name=copied]");
    if (!copied) {
      copied = document.createElement("input");
      copied.type = "hidden";
      copied.name = "copied";
      form.appendChild(copied);
    }
    var names = copied.value ? copied.value.split(",") : [];
    if (names.indexOf(name) === -1) names.push(name);
    copied.value = names.join(",");
    button.remove();
    return target;
  }
  function copyAll(buttons) {
    var last = null;
    buttons.forEach(function (button) { last = copyOne(button) || last; });
    if (last) last.dispatchEvent(new Event("input", { bubbles: true }));
  }
  document.addEventListener("click", function (event) {
    var one = event.target.closest ? event.target.closest("button.carry") : null;
    if (one) { copyAll([one]); return; }
    var row = event.target.closest ? event.target.closest("button[data-carry-row]") : null;
    if (row) {
      copyAll(Array.prototype.slice.call(row.closest("tr, .movement-row, .nd-row, .carry-row").querySelectorAll("button.carry")));
      row.remove();
      return;
    }
    var all = event.target.closest ? event.target.closest("button[data-carry-all]") : null;
    if (all) {
      var form = document.getElementById(all.dataset.carryAll);
      if (form) copyAll(Array.prototype.slice.call(form.querySelectorAll("button.carry")));
      all.remove();
    }
  });
  // A row with more than one value to carry gets its own "Copy row" button.
  function rowButtons(root) {
    root.querySelectorAll("tr, .movement-row, .nd-row, .carry-row").forEach(function (row) {
      if (row.querySelector("button[data-carry-row]")) return;
      if (row.querySelectorAll("button.carry").length < 2) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-secondary btn-sm ms-2";
      button.dataset.carryRow = "1";
      button.textContent = "Copy row";
      var head = row.querySelector("th, h3, .row-head") || row.firstElementChild;
      if (head) head.appendChild(button);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { rowButtons(document); });
  document.addEventListener("htmx:afterSwap", function (event) { rowButtons(event.detail.target || document); });
  // Once saved, the copied values are recorded: start the list afresh.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
    if (!form || !event.detail.successful) return;
    var copied = form.querySelector("input[name=copied]");
    if (copied) copied.value = "";
  });
})();
