/* Idle sign-out warning for staff pages.
 *
 * The server is the clock: IdleTimeoutMiddleware signs a session out after
 * STAFF_IDLE_MINUTES without use or at its absolute lifetime. This script asks the server
 * how long is left shortly before the end (a background poll, which does not count as
 * use), so activity in another tab is respected, then shows a countdown a minute before
 * with "Stay signed in" (a POST, which counts as use) and "Sign out now".
 */
(function () {
  "use strict";
  var box = document.getElementById("idle-warning");
  if (!box || !window.bootstrap) {
    return;
  }
  var sessionUrl = box.dataset.sessionUrl;
  var loginUrl = box.dataset.loginUrl;
  var idleMs = Number(box.dataset.idleSeconds) * 1000;
  var warnMs = Number(box.dataset.warningSeconds) * 1000;
  var countdown = box.querySelector("[data-idle-countdown]");
  var modal = window.bootstrap.Modal.getOrCreateInstance(box);
  var checkTimer = null;
  var tickTimer = null;
  var deadline = 0;
  var shown = false;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function schedule(remainingMs) {
    window.clearTimeout(checkTimer);
    checkTimer = window.setTimeout(check, Math.max(0, remainingMs - warnMs));
  }

  function signedOut() {
    var next = window.location.pathname + window.location.search;
    window.location.assign(loginUrl + "&next=" + encodeURIComponent(next));
  }

  function check() {
    window
      .fetch(sessionUrl, {
        headers: { "X-Background-Poll": "1", Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        // A 204 or a sign-in page means the server has already ended the session.
        return response.ok && type.indexOf("json") !== -1 ? response.json() : { remaining: 0 };
      })
      .then(function (data) {
        var ms = Number(data.remaining) * 1000;
        if (ms <= 0) {
          signedOut();
        } else if (ms > warnMs + 1000) {
          hide();
          schedule(ms);
        } else {
          show(ms);
        }
      })
      .catch(function () {
        // The network dropped: try again shortly; the server still signs out on time.
        window.clearTimeout(checkTimer);
        checkTimer = window.setTimeout(check, 15000);
      });
  }

  function tick() {
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    countdown.textContent = String(left);
    if (left <= 0) {
      window.clearInterval(tickTimer);
      check();
    }
  }

  function show(ms) {
    deadline = Date.now() + ms;
    window.clearInterval(tickTimer);
    tick();
    tickTimer = window.setInterval(tick, 1000);
    if (!shown) {
      shown = true;
      modal.show();
    }
  }

  function hide() {
    window.clearInterval(tickTimer);
    if (shown) {
      shown = false;
      modal.hide();
    }
  }

  box.querySelector("[data-idle-stay]").addEventListener("click", function () {
    window
      .fetch(sessionUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      })
      .then(function (response) {
        if (response.status === 204) {
          hide();
          schedule(idleMs);
        } else {
          signedOut();
        }
      })
      .catch(function () {
        check();
      });
  });

  // Using the app through htmx (autosaves, sections) counts as use; background polls don't.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var headers = (event.detail.requestConfig && event.detail.requestConfig.headers) || {};
    if (!headers["X-Background-Poll"] && event.detail.successful) {
      schedule(idleMs);
    }
  });

  schedule(idleMs);
})();
