// Gõ Cửa: what every page shares. A failed save must never look like a saved one:
// htmx 2 swaps nothing on 4xx/5xx and has no timeout of its own (set in htmx-config).
(function () {
  "use strict";
  var toastTimer = null;

  function toast(message, ok) {
    var box = document.getElementById("toast");
    if (!box) { return; }
    box.textContent = message;
    box.className = ok ? "toast ok" : "toast";
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.hidden = true; }, ok ? 2500 : 8000);
  }
  window.gocuaToast = toast;

  function lang() { return document.documentElement.lang || "vi"; }
  var TEXT = {
    vi: { notSaved: "Chưa lưu: máy chủ từ chối. ", offline: "Chưa lưu: mất kết nối. Hãy thử lại.",
          timeout: "Chưa lưu: máy chủ không trả lời. Hãy thử lại.", signIn: "Phiên đăng nhập đã hết, hãy đăng nhập lại." },
    en: { notSaved: "Not saved: the server refused. ", offline: "Not saved: no connection. Try again.",
          timeout: "Not saved: the server did not answer. Try again.", signIn: "Your session has ended; please sign in again." }
  };
  function t(key) { return (TEXT[lang()] || TEXT.vi)[key]; }

  document.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr.status === 401) { toast(t("signIn")); return; }
    var div = document.createElement("div");
    div.innerHTML = xhr.responseText || "";
    var alert = div.querySelector("[role=alert]");
    toast(t("notSaved") + (alert ? alert.textContent : ""));
  });
  document.addEventListener("htmx:sendError", function () { toast(t("offline")); });
  document.addEventListener("htmx:timeout", function () { toast(t("timeout")); });

  // After signing out, forget the offline copies of pages: the next person on this phone
  // must not open the previous volunteer's walk. (Unsent visits stay in walk.js's queue.)
  document.addEventListener("DOMContentLoaded", function () {
    if (document.getElementById("signed-out") && window.caches) {
      caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
    }
  });

  // Copy a sign-in link with one tap.
  document.addEventListener("focusin", function (evt) {
    if (evt.target.classList && evt.target.classList.contains("copy")) { evt.target.select(); }
  });
})();
