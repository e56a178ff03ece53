// Live updates without inline script: any element with data-live-src is refreshed from that
// same-origin URL (an HTML fragment rendered and escaped by the server) every few seconds.
(function () {
  "use strict";
  var INTERVAL_MS = 5000;

  function refresh(el) {
    var src = el.getAttribute("data-live-src");
    if (!src || src.charAt(0) !== "/" || src.charAt(1) === "/") { return; }
    fetch(src, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && html !== el.getAttribute("data-live-last")) {
          el.innerHTML = html;
          el.setAttribute("data-live-last", html);
          el.setAttribute("data-live-updated", String(Date.now()));
        }
      })
      .catch(function () { /* network hiccup: try again next tick */ });
  }

  function start() {
    var els = document.querySelectorAll("[data-live-src]");
    if (!els.length) { return; }
    var interval = parseInt(document.body.getAttribute("data-live-interval") || "", 10) || INTERVAL_MS;
    window.setInterval(function () { els.forEach(refresh); }, interval);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
