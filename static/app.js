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

  // What the scripts say comes from the page, in its language (labels.JS_TEXT, written by
  // base.html into <body data-text>): one place to word it, one way to translate it.
  var TEXT = null;
  function t(key, values) {
    if (TEXT === null) {
      try { TEXT = JSON.parse(document.body.getAttribute("data-text") || "{}"); } catch (e) { TEXT = {}; }
    }
    var text = TEXT[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.replace("{" + name + "}", values[name]); });
    return text;
  }

  // The CSRF token htmx sends (hx-headers on <body>), for the scripts' own requests.
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  // ---- the offline visit queue (walk.js keeps it): whose it is ----------------------
  // A shared phone: each queued visit carries its volunteer (<body data-user>); a page shows
  // and sends only its own volunteer's, and signing out with some unsent asks first.
  var QUEUE_KEY = "gocua.visitQueue.v1";
  function me() { return document.body.getAttribute("data-user") || ""; }
  function queued() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; }
  }
  function mine() {
    var who = me();
    return who ? queued().filter(function (i) { return i.owner === who; }) : [];
  }

  window.gocua = { toast: toast, text: t, csrf: csrf, queueKey: QUEUE_KEY, me: me,
                   queued: queued, mine: mine };
  window.gocuaToast = toast;

  // A visit's save speaks through walk.js (the card, the banner and the toast say the same).
  function ownVoice(evt) { return !!(evt.detail.elt.closest && evt.detail.elt.closest(".visit-form")); }
  document.addEventListener("htmx:responseError", function (evt) {
    if (ownVoice(evt)) { return; }
    var xhr = evt.detail.xhr;
    if (xhr.status === 401) { toast(t("signIn")); return; }
    var div = document.createElement("div");
    div.innerHTML = xhr.responseText || "";
    var alert = div.querySelector("[role=alert]");
    toast(t("notSaved") + (alert ? alert.textContent : ""));
  });
  document.addEventListener("htmx:sendError", function (evt) { if (!ownVoice(evt)) { toast(t("offline")); } });
  document.addEventListener("htmx:timeout", function (evt) { if (!ownVoice(evt)) { toast(t("timeout")); } });

  // After signing out, forget the offline copies of pages and anything htmx kept of them
  // in sessionStorage (its history cache is off, but an older page may have filled it):
  // the next person on this phone must not open the previous one's pages. The same when
  // someone signs in over another's session (a link opened on a phone left signed in).
  var LAST_USER = "gocua.lastUser";
  function forgetPages() {
    try { sessionStorage.clear(); } catch (e) { /* storage disabled: nothing kept */ }
    if (window.caches) {
      caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var who = me();
    try {
      if (document.getElementById("signed-out")) {
        forgetPages();
        localStorage.removeItem(LAST_USER);
        // Visits queued before they had an owner can be sent by no one: they go now.
        var owned = queued().filter(function (i) { return i.owner; });
        if (owned.length) { localStorage.setItem(QUEUE_KEY, JSON.stringify(owned)); }
        else { localStorage.removeItem(QUEUE_KEY); }
      } else if (who) {
        var last = localStorage.getItem(LAST_USER);
        if (last && last !== who) { forgetPages(); }
        localStorage.setItem(LAST_USER, who);
      }
    } catch (e) { /* storage disabled: nothing kept */ }
  });

  // Signing out with visits still on the phone: say so, and offer to send them first.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var box = document.getElementById("signout-ask");
    if (!box || !form.classList.contains("signout")) { return; }
    var waiting = mine().length;
    if (!waiting) { return; }
    evt.preventDefault();
    document.getElementById("signout-ask-text").textContent = t("unsentAtSignOut", { n: waiting });
    box.hidden = false;
    box.querySelector(".send-first").focus();
  });
  document.addEventListener("click", function (evt) {
    var box = document.getElementById("signout-ask");
    var button = box && evt.target.closest && evt.target.closest("#signout-ask button");
    if (!button) { return; }
    var form = document.querySelector("form.signout");
    if (button.classList.contains("stay")) { box.hidden = true; return; }
    if (button.classList.contains("keep-later")) { form.submit(); return; }
    if (!window.gocua.flushQueue) {  // not on the walk page: it sends them as it opens
      window.location.href = box.getAttribute("data-walk-url");
      return;
    }
    button.disabled = true;
    window.gocua.flushQueue().then(function () {
      button.disabled = false;
      var left = mine().length;
      if (!left) { form.submit(); return; }
      document.getElementById("signout-ask-text").textContent = t("stillUnsent", { n: left });
    });
  });

  // Copy a sign-in link with one tap.
  document.addEventListener("focusin", function (evt) {
    if (evt.target.classList && evt.target.classList.contains("copy")) { evt.target.select(); }
  });

  // Share a sign-in link: the phone's share sheet (straight to Zalo), else copy it.
  function copyText(text, input) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    if (input) { input.focus(); input.select(); }
    return new Promise(function (resolve, reject) {
      try { if (document.execCommand("copy")) { resolve(); } else { reject(); } } catch (e) { reject(e); }
    });
  }
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-share], [data-copy]");
    if (!button) { return; }
    var box = button.closest(".link-box");
    var input = box && box.querySelector("input.copy");
    var url = input ? input.value : "";
    if (!url) { return; }
    var copied = function () { toast(t("copied"), true); button.setAttribute("data-done", "copied"); };
    var failed = function () { toast(t("copyFailed")); };
    if (button.hasAttribute("data-share") && navigator.share) {
      navigator.share({ title: "Gõ Cửa", text: button.getAttribute("data-share"), url: url })
        .then(function () { button.setAttribute("data-done", "shared"); })
        .catch(function (e) { if (!e || e.name !== "AbortError") { copyText(url, input).then(copied, failed); } });
      return;
    }
    copyText(url, input).then(copied, failed);
  });

  // A report's print page: the browser's own print dialog (A4, app.css @media print).
  document.addEventListener("click", function (evt) {
    if (evt.target.closest && evt.target.closest("[data-print]")) { window.print(); }
  });
})();
