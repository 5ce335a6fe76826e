// Gõ Cửa, the volunteer's walk: nothing typed is lost. Every visit carries an id made on
// the phone; a save that gets no answer, a 5xx or a timeout is kept in localStorage,
// shown as waiting ("chưa lưu"), and sent again by itself when the network returns.
// The server stores a visit sent twice exactly once. Each queued visit belongs to the
// volunteer who recorded it: on a shared phone, another volunteer's page neither shows nor
// sends it (and the server refuses it under another name); a sent one leaves the phone.
(function () {
  "use strict";
  var RETRY_MS = 15000;
  var CACHE = "gocua-walk-v2";  // sw.js's cache: the offline copies of the walk
  var flushing = null;  // the sending under way, if any
  var SENT_AT = "gocua.queueSentAt";  // when a queued visit last reached the server

  var gocua = window.gocua;  // static/app.js: toast, text, csrf, the queue's key and owner
  var KEY = gocua.queueKey;
  function toast(message, ok) { gocua.toast(message, ok); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // ---- the queue -------------------------------------------------------------------
  // load(): everyone's items, to write back whole; gocua.mine(): this volunteer's only.
  function load() { return gocua.queued(); }
  function store(items) {
    try {
      if (items.length) { localStorage.setItem(KEY, JSON.stringify(items)); }
      else { localStorage.removeItem(KEY); }  // nothing sent lingers, not even an empty list
    } catch (e) { /* full: kept in form */ }
    showQueue(gocua.mine());
  }
  function enqueue(item) {
    item.owner = gocua.me();
    var items = load().filter(function (i) { return i.clientId !== item.clientId; });
    items.push(item);
    store(items);
  }
  function dequeue(clientId) {
    store(load().filter(function (i) { return i.clientId !== clientId; }));
  }

  function showQueue(items) {
    var box = document.getElementById("walk-queue");
    if (box) {
      box.hidden = items.length === 0;
      box.textContent = gocua.text("queue", { n: items.length });
    }
    items.forEach(function (item) { markUnsaved(item.household, item.error || null, true); });
  }

  function cardOf(household) { return document.getElementById("stop-" + household); }

  // One voice: the card, the banner and the toast say the same words about a save —
  // waiting ("chưa gửi", sent by itself) or refused ("chưa lưu", with the server's reason).
  function saying(message, waiting) {
    return waiting ? gocua.text("waiting") : gocua.text("unsaved") + (message ? ": " + message : "");
  }
  function markUnsaved(household, message, waiting) {
    var card = cardOf(household);
    if (!card) { return; }
    card.classList.add("unsaved-card");
    card.classList.toggle("waiting", !!waiting);
    var box = card.querySelector(".unsaved");
    if (!box) { return; }
    box.hidden = false;
    box.querySelector(".unsaved-text").textContent = saying(message, waiting);
  }

  // ---- sending a visit -------------------------------------------------------------
  function formBody(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }

  function fillIds(form) {
    var id = form.querySelector("input[name=client_id]");
    var at = form.querySelector("input[name=happened_at]");
    if (id && !id.value) { id.value = uuid(); }           // kept for every retry: stored once
    if (at && !at.value) { at.value = new Date().toISOString(); }
  }

  function swapCard(household, html) {
    var card = cardOf(household);
    if (card && window.htmx) {
      htmx.swap(card, html, { swapStyle: "outerHTML" });
    }
  }

  function send(item) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, 15000);
    return fetch(item.url, {
      method: "POST", body: item.body, credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
      headers: { "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true",
                 "X-CSRFToken": gocua.csrf() }
    }).then(function (response) {
      clearTimeout(timer);
      return response.text().then(function (text) { return { status: response.status, text: text }; });
    }, function () { clearTimeout(timer); return { status: 0, text: "" }; });
  }

  function retryable(status) { return status === 0 || status === 401 || status === 408 || status === 429 || status >= 500; }

  function flush() {
    if (flushing) { return flushing; }
    var items = gocua.mine().filter(function (i) { return !i.error; });
    if (!items.length) { return Promise.resolve(); }
    var chain = Promise.resolve(), sent = 0;
    items.forEach(function (item) {
      chain = chain.then(function () {
        return send(item).then(function (answer) {
          if (answer.status >= 200 && answer.status < 300) {
            dequeue(item.clientId);
            swapCard(item.household, answer.text);
            keepCard(answer.text);
            // A page opened while this was on its way may show the door as it was before.
            try { localStorage.setItem(SENT_AT, String(Date.now())); } catch (e) { /* none */ }
            sent += 1;
          } else if (!retryable(answer.status)) {
            var div = document.createElement("div");
            div.innerHTML = answer.text;
            var alert = div.querySelector("[role=alert]");
            item.error = alert ? alert.textContent : String(answer.status);
            enqueue(item);
          }
        });
      });
    });
    flushing = chain.then(function () {
      flushing = null;
      if (sent) { toast(gocua.text("sentWaiting", { n: sent }), true); }
    }, function () { flushing = null; });
    return flushing;
  }
  gocua.flushQueue = flush;  // app.js: "send first, then sign out"

  // htmx sends the form; these listeners keep what htmx could not deliver.
  document.addEventListener("htmx:configRequest", function (evt) {
    var form = evt.detail.elt;
    if (!form.classList || !form.classList.contains("visit-form")) { return; }
    fillIds(form);
    // htmx collected the fields before this event: put the fresh ids in its parameters too.
    evt.detail.parameters.client_id = form.client_id.value;
    evt.detail.parameters.happened_at = form.happened_at.value;
  });

  function failed(evt, status) {
    var form = evt.detail.elt;
    if (!form.classList || !form.classList.contains("visit-form")) { return; }
    var card = form.closest(".stop");
    var household = card.getAttribute("data-household");
    if (retryable(status)) {
      enqueue({ url: form.getAttribute("hx-post"), body: formBody(form), household: household,
                clientId: form.client_id.value, at: Date.now() });
      markUnsaved(household, null, true);
      toast(saying(null, true));
    } else {
      var div = document.createElement("div");
      div.innerHTML = evt.detail.xhr ? evt.detail.xhr.responseText : "";
      var alert = div.querySelector("[role=alert]");
      markUnsaved(household, alert ? alert.textContent : null, false);
      toast(saying(alert ? alert.textContent : null, false));
    }
  }
  document.addEventListener("htmx:sendError", function (evt) { failed(evt, 0); });
  document.addEventListener("htmx:timeout", function (evt) { failed(evt, 0); });
  document.addEventListener("htmx:responseError", function (evt) { failed(evt, evt.detail.xhr.status); });
  // After a swap htmx fires this on the list (the form left with its card): the card it
  // replaced is detail.target, the visit's id is in the parameters sent.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var card = evt.detail.target, config = evt.detail.requestConfig || {};
    if (!evt.detail.successful || !card || !card.classList || !card.classList.contains("stop")) { return; }
    var sent = config.parameters && config.parameters.client_id;
    if (sent && /\/visits$/.test(config.path || "")) {
      dequeue(String(sent));
      toast(gocua.text("saved"), true);
    }
    keepCard(evt.detail.xhr.responseText);  // a save, an undo, a pin: the offline copy too
  });

  // ---- the offline copy --------------------------------------------------------------
  // The service worker keeps the walk as the server last sent it; this keeps it as the
  // phone knows it. Queued visits stay in the queue (shown "chưa gửi" as the page opens).
  function walkPages(cache) {
    return cache.keys().then(function (requests) {
      return requests.filter(function (r) { return /^\/walk(\/\d+)?$/.test(new URL(r.url).pathname); });
    });
  }
  function parse(html) { return new DOMParser().parseFromString(html, "text/html"); }
  function storePage(cache, request, html, like) {
    return cache.put(request, new Response(html, { status: 200, headers: like.headers }));
  }

  var keeping = Promise.resolve();  // one change of the copies at a time
  function keepCard(html) {
    if (!window.caches || !window.DOMParser) { return; }
    var parts = Array.prototype.slice.call(parse(html).body.children).filter(function (el) {
      return el.id;  // the stop's card, the walk's progress (out of band)
    });
    if (!parts.length) { return; }
    keeping = keeping.then(function () {
      return caches.open(CACHE).then(function (cache) {
        return walkPages(cache).then(function (requests) {
          return Promise.all(requests.map(function (request) {
            return cache.match(request).then(function (hit) {
              if (!hit) { return null; }
              return hit.text().then(function (text) {
                var doc = parse(text), changed = false;
                parts.forEach(function (part) {
                  var old = doc.getElementById(part.id);
                  if (!old) { return; }
                  var copy = doc.importNode(part, true);
                  copy.removeAttribute("hx-swap-oob");
                  old.replaceWith(copy);
                  changed = true;
                });
                if (!changed) { return null; }
                return storePage(cache, request, "<!doctype html>\n" + doc.documentElement.outerHTML, hit);
              });
            });
          }));
        });
      });
    }).catch(function (e) { /* no room: the copy stays as it was, the queue keeps the rest */ });
  }

  // From the first open: the page that registered the worker went past it, so keep it
  // now; and the walk's map pages with their scripts and styles (tiles aside).
  function keepOffline() {
    if (!window.caches) { return; }
    var controlled = navigator.serviceWorker && navigator.serviceWorker.controller;
    caches.open(CACHE).then(function (cache) {
      if (!controlled && !document.body.hasAttribute("data-offline-copy")) {
        cache.add(location.pathname).catch(function () { /* offline already */ });
      }
      var assets = Array.prototype.map.call(
        document.querySelectorAll("script[src^='/static/'], link[rel=stylesheet][href^='/static/']"),
        function (el) { return el.getAttribute("src") || el.getAttribute("href"); });
      document.querySelectorAll(".map-btn[data-map-url]").forEach(function (button) {
        var url = button.getAttribute("data-map-url");
        cache.match(url, { ignoreSearch: true }).then(function (hit) {
          if (hit) { return; }  // refreshed each time the map is shown online
          return fetch(url, { credentials: "same-origin" }).then(function (response) {
            if (!response.ok || response.redirected) { return; }
            return response.clone().text().then(function (text) {
              var found = text.match(/(?:src|href)="\/static\/[^"]+"/g) || [];
              keepAssets(cache, found.map(function (m) { return m.replace(/^(src|href)="|"$/g, ""); }));
              return cache.put(url, response);
            });
          });
        }).catch(function () { /* the map waits for the network */ });
      });
      keepAssets(cache, assets);
    });
  }
  function keepAssets(cache, urls) {
    urls.forEach(function (url) {
      cache.match(url).then(function (hit) { return hit || cache.add(url); })
        .catch(function () { /* fetched again next time */ });
    });
  }

  // An offline copy (the worker marks it) may be older than the server: another volunteer
  // at the same door, a leader's change. Once the server answers, the cards catch up.
  var caughtUpTo = 0;
  function reconcile() {
    var sentAt = 0;
    try { sentAt = Number(localStorage.getItem(SENT_AT) || 0); } catch (e) { /* none */ }
    // Sent while this page was being made (another tab, the page before): catch up too.
    // Kept for a minute, not removed: the page that sent it may read it first.
    if (sentAt > Date.now() - 60000 && sentAt > caughtUpTo) {  // once per sending
      caughtUpTo = sentAt;
      document.body.setAttribute("data-offline-copy", "1");
    }
    if (!document.body.hasAttribute("data-offline-copy")) { return Promise.resolve(); }
    return fetch(location.pathname, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok || response.redirected) { return; }  // signed out: keep what is shown
      return response.text().then(function (text) {
        document.body.removeAttribute("data-offline-copy");
        if (window.caches) {
          caches.open(CACHE).then(function (cache) {
            return storePage(cache, location.pathname, text, response);
          }).catch(function () { /* no room */ });
        }
        var fresh = parse(text);
        fresh.querySelectorAll("li.stop, .walk-progress").forEach(function (part) {
          var here = document.getElementById(part.id);
          var typing = here && (here.querySelector("input[name=outcome]:checked") ||
                                here.contains(document.activeElement));
          if (here && !typing && window.htmx) {
            htmx.swap(here, part.outerHTML, { swapStyle: "outerHTML" });
          }
        });
        showQueue(gocua.mine());
      });
    }, function () { /* still no server: try again later */ });
  }
  function catchUp() { return flush().then(reconcile); }

  // ---- the door form ---------------------------------------------------------------
  // What is hidden is disabled too, so never sent: services ticked before a slip to "Không
  // có nhà" stay ticked on screen (nothing typed is lost) but are not refused by the server.
  function fitForm(form) {
    var outcome = form.querySelector("input[name=outcome]:checked");
    var chosen = outcome ? outcome.value : "";
    form.querySelectorAll(".met-only").forEach(function (part) { part.disabled = chosen !== "met"; });
    form.querySelectorAll(".come-back").forEach(function (part) { part.disabled = chosen !== "come_back"; });
  }
  document.addEventListener("change", function (evt) {
    var form = evt.target.closest && evt.target.closest(".visit-form");
    if (form && evt.target.name === "outcome") { fitForm(form); }
  });

  // ---- buttons ---------------------------------------------------------------------
  document.addEventListener("click", function (evt) {
    var close = evt.target.closest && evt.target.closest(".close-form");
    if (close) {  // the form goes back as it was, nothing saved
      var closing = close.closest("form");
      closing.reset();
      fitForm(closing);
      return;
    }
    var retry = evt.target.closest && evt.target.closest(".retry");
    if (retry) {
      var card = retry.closest(".stop");
      var form = card.querySelector("form.visit-form");
      var queued = gocua.mine().filter(function (i) { return i.household === card.getAttribute("data-household"); });
      if (queued.length) {
        queued.forEach(function (i) { delete i.error; enqueue(i); });
        flush();
      } else if (form.requestSubmit) { form.requestSubmit(); }
      return;
    }
    var pin = evt.target.closest && evt.target.closest(".pin-btn");
    if (pin) { pinHouse(pin); return; }
    var mapButton = evt.target.closest && evt.target.closest(".map-btn");
    if (mapButton) { showMap(mapButton); }
  });

  function pinHouse(button) {
    if (!navigator.geolocation) {
      toast(gocua.text("noPosition"));
      return;
    }
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      button.disabled = false;
      htmx.ajax("POST", button.getAttribute("data-url"), {
        target: button.closest(".stop"), swap: "outerHTML",
        values: { lat: position.coords.latitude, lon: position.coords.longitude,
                  accuracy: position.coords.accuracy }
      });
    }, function () {
      button.disabled = false;
      toast(gocua.text("positionFailed"));
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
  }

  // The map is a page of its own in a frame: its script runs under that page's nonce, as
  // fragments swapped in by htmx never run scripts (base.html's htmx-config).
  function showMap(button) {
    button.disabled = true;
    var frame = document.createElement("iframe");
    frame.className = "walk-map-frame";
    frame.title = button.textContent;
    frame.onload = function () { button.hidden = true; };
    frame.onerror = function () { button.disabled = false; toast(gocua.text("mapFailed")); };
    frame.src = button.getAttribute("data-map-url");
    var box = document.getElementById(button.getAttribute("data-target"));
    box.textContent = "";
    box.appendChild(frame);
  }

  // ---- directions ------------------------------------------------------------------
  // A geo: link opens the maps app on Android; an iPhone's Safari ignores it, so there the
  // link asks Apple Maps for walking directions through its own maps: scheme. An in-app
  // browser (Zalo, Facebook) is a WebView that drops geo: and maps: links: there the link is
  // Google Maps' https directions address, which Android hands to the maps app.
  var UA = navigator.userAgent;
  var IOS = /iPhone|iPad|iPod/.test(UA) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  var IN_APP = /\bZalo\b|FBAN|FBAV|FB_IAB|Instagram|Line\//i.test(UA);

  function directionsFor(root) {
    if ((!IOS && !IN_APP) || !root.querySelectorAll) { return; }
    root.querySelectorAll("a[href^='geo:']").forEach(function (link) {
      var where = link.getAttribute("href").slice(4).split("?")[0];
      link.setAttribute("href", IN_APP
        ? "https://www.google.com/maps/dir/?api=1&destination=" + where + "&travelmode=walking"
        : "maps://?daddr=" + where + "&dirflg=w");
      if (IN_APP) { link.setAttribute("rel", "noopener"); link.setAttribute("target", "_blank"); }
    });
  }

  // ---- start -----------------------------------------------------------------------
  function start() {
    directionsFor(document);
    document.querySelectorAll(".visit-form").forEach(fitForm);  // a form the browser restored
    if (window.htmx) { htmx.onLoad(directionsFor); }  // cards swapped in after a save
    showQueue(gocua.mine());
    catchUp();
    window.addEventListener("online", catchUp);
    setInterval(function () { if (navigator.onLine !== false) { catchUp(); } }, RETRY_MS);
    var script = document.querySelector("script[data-sw]");
    if (script && "serviceWorker" in navigator) {
      navigator.serviceWorker.register(script.getAttribute("data-sw"), { scope: "/" })
        .catch(function () { /* the walk still works online */ });
      keepOffline();  // the walk page (a card's own page is not kept)
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
