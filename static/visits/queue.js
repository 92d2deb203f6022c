/* The visits kept on the phone (IndexedDB), each under the client id it was given when saved:
   "queued" until the portal has it, then "sent" (or "refused", with the portal's reason). The
   client id is sent with the visit, so that sending it again never records it twice. */
(function () {
  "use strict";
  var DB = "portal-visits", STORE = "visits";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "client_id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode), result;
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        result = work(tx.objectStore(STORE));
      });
    });
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16)), h = [];
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    for (var i = 0; i < 16; i++) { h.push((b[i] + 0x100).toString(16).slice(1)); }
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  window.VisitQueue = {
    newId: newId,
    put: function (item) { return run("readwrite", function (s) { s.put(item); }); },
    all: function () {
      return run("readonly", function (s) {
        var out = [];
        s.openCursor().onsuccess = function (e) {
          var c = e.target.result;
          if (c) { out.push(c.value); c.continue(); }
        };
        return out;
      }).then(function (items) {
        return items.sort(function (a, b) { return a.saved_at < b.saved_at ? -1 : 1; });
      });
    },
    remove: function (id) { return run("readwrite", function (s) { s.delete(id); }); }
  };
})();
