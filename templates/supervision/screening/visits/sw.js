/* The visit app's service worker: the app's page and files are kept on the phone, so that the
   list of enterprises opens without a connection. The page is fetched afresh whenever there is
   a connection (and the copy renewed); the files are served from the copy. Visits themselves
   are queued by the page (visits/queue.js), never by this worker. */
"use strict";
var CACHE = "{{ cache }}";
var APP = "{{ app_url }}";
var FILES = {{ files|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(FILES); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf("visits-") === 0 && k !== CACHE;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname === APP) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(APP, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(APP);
    }));
    return;
  }
  if (FILES.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request);
    }));
  }
});
