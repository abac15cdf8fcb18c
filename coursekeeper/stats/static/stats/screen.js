/*
 * Screen-size statistics (R24): loaded only on devices that accepted statistics cookies (the
 * server renders this script's tag only then, and the endpoint refuses without the consent).
 *
 * Reads the screen's width once per browser session, sends only its broad step, and notes in
 * session storage (registered as a statistics key) that it did. No cookie, no identifier.
 * CSP-clean: no eval, no inline code.
 */
(function () {
  "use strict";

  var COUNTED_KEY = "coursekeeper_screen_counted";

  // The step a width falls in; the server knows exactly these four.
  function bucketFor(width) {
    if (width < 600) return "under_600";
    if (width < 1024) return "600_1023";
    if (width < 1440) return "1024_1439";
    return "1440_up";
  }

  function alreadyCounted() {
    try {
      return window.sessionStorage.getItem(COUNTED_KEY) === "1";
    } catch (error) {
      return false; // storage blocked: count again rather than fail
    }
  }

  function noteCounted() {
    try {
      window.sessionStorage.setItem(COUNTED_KEY, "1");
    } catch (error) {}
  }

  function report(script) {
    if (alreadyCounted()) return;
    var body = new URLSearchParams();
    body.set("bucket", bucketFor(window.screen.width));
    fetch(script.dataset.endpoint, {
      method: "POST",
      credentials: "same-origin",
      redirect: "error",
      headers: { "X-CSRFToken": script.dataset.csrfToken || "" },
      body: body,
    })
      .then(function (response) {
        if (response.status === 204) noteCounted();
      })
      .catch(function () {});
  }

  // Node runs the unit test of bucketFor; browsers skip this.
  if (typeof module === "object" && module.exports) {
    module.exports = { bucketFor: bucketFor };
  }
  if (typeof document !== "undefined" && document.currentScript) {
    report(document.currentScript);
  }
})();
