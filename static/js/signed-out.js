/* The sign-in page is only ever seen signed out (after Sign out, an idle or expired
 * session, or a lockout): forget anything a staff page left in this browser's storage on
 * a shared tablet. The sign-out response also sends Clear-Site-Data; this covers browsers
 * that ignore it and the sign-outs that do not pass through it. */
(function () {
  "use strict";
  try {
    window.sessionStorage.clear();
  } catch (e) {
    /* storage disabled: nothing kept */
  }
  try {
    window.localStorage.clear();
  } catch (e) {
    /* storage disabled: nothing kept */
  }
})();
