// Gõ Cửa's service worker: today's walk opens again without a connection from its first
// open. Pages (the walk, its map): network first, the last good copy when the network
// fails, marked <body data-offline-copy> so that walk.js reconciles it with the server
// once it can. Static files: the cached copy at once, refreshed in the background. POSTs
// are never touched: the walk's own queue (walk.js) keeps and resends visits. walk.js also
// writes this cache: the page that registers the worker (its load went past it), the map
// page, and every card saved since (the copy is never older than what the phone knows).
"use strict";
var CACHE = "gocua-walk-v2";  // the same name in walk.js
var PRECACHE = ["/static/app.css", "/static/app.js", "/static/walk.js",
                "/static/vendor/htmx.org/htmx.min.js"];
var PAGE_TIMEOUT_MS = 6000;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(PRECACHE).catch(function () { /* filled as pages load */ });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; })
                           .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function isWalkPage(url) { return /^\/walk(\/\d+(\/map)?)?$/.test(url.pathname); }

// The kept copy, said to be one: the page reconciles it with the server when it can.
function offlineCopy(hit) {
  if (!hit) { return Response.error(); }
  return hit.text().then(function (text) {
    return new Response(text.replace("<body ", "<body data-offline-copy=\"1\" "),
                        { status: hit.status, statusText: hit.statusText, headers: hit.headers });
  });
}

function pageFirst(request) {
  return new Promise(function (resolve) {
    var done = false;
    function fromCache() {
      if (done) { return; }
      caches.match(request, { ignoreVary: true, ignoreSearch: true }).then(function (hit) {
        if (hit && !done) { done = true; resolve(offlineCopy(hit)); }
      });
    }
    var timer = setTimeout(fromCache, PAGE_TIMEOUT_MS);  // a lane with one bar of 4G
    fetch(request).then(function (response) {
      clearTimeout(timer);
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      if (!done) { done = true; resolve(response); }
    }, function () {
      clearTimeout(timer);
      caches.match(request, { ignoreVary: true, ignoreSearch: true }).then(function (hit) {
        if (!done) { done = true; resolve(offlineCopy(hit)); }
      });
    });
  });
}

function staticFirst(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
      if (hit) { fresh.catch(function () { /* offline: the cached copy serves */ }); }
      return hit || fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }  // map tiles: the network's business
  if (request.mode === "navigate" && isWalkPage(url)) {
    event.respondWith(pageFirst(request));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(staticFirst(request));
  }
});
