/* The visit app: pick an enterprise, fill the visit, save it on the phone; whenever there is a
   connection the waiting visits are sent, one by one, each with its client id. The portal
   answers 201 (recorded), 200 (recorded before: a retry), 409 (the enterprise was assigned
   elsewhere meanwhile: not recorded, with a message) or 400 (not recorded, with reasons). */
(function () {
  "use strict";
  var root = document.getElementById("visit-app");
  if (!root) { return; }
  var form = document.getElementById("visit-form");
  var msg = function (key) { return root.getAttribute("data-msg-" + key) || key; };
  var sending = false;
  var PHOTO_EDGE = 1280;  // a camera's photo shrunk to this many pixels on its long side

  function csrf() {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function showConnection() {
    var note = document.getElementById("connection");
    note.textContent = navigator.onLine ? msg("online") : msg("offline");
    note.className = "connection " + (navigator.onLine ? "online" : "offline");
  }

  function render() {
    return VisitQueue.all().then(function (items) {
      var list = document.getElementById("queue-list"), counts = { queued: 0, sent: 0, refused: 0 };
      list.textContent = "";
      items.forEach(function (item) {
        counts[item.state] += 1;
        var li = document.createElement("li");
        li.className = "queued-visit " + item.state;
        li.setAttribute("data-client-id", item.client_id);
        var head = document.createElement("div");
        head.textContent = item.name + " · " + item.body.visited_at.replace("T", " ").slice(0, 16);
        var state = document.createElement("div");
        state.className = "state";
        state.textContent = msg(item.state) + (item.message ? ": " + item.message : "");
        li.appendChild(head);
        li.appendChild(state);
        list.appendChild(li);
      });
      Object.keys(counts).forEach(function (k) {
        root.querySelector("[data-testid=" + k + "-count]").textContent = counts[k];
      });
    });
  }

  function answer(item, response) {
    if (response.status === 200 || response.status === 201) {
      return response.json().then(function (visit) {
        item.state = "sent"; item.visit_id = visit.id; item.message = "";
        item.body.photos = [];  // the portal has them; the phone's storage is small
      });
    }
    if (response.status === 401 || response.status === 403) {
      item.message = msg("signin");
      return Promise.reject(new Error("signed out"));
    }
    if (response.status === 409 || response.status === 400 || response.status === 404) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        item.state = "refused";
        item.message = response.status === 404 ? msg("gone") : reasons(body);
      });
    }
    return Promise.reject(new Error("HTTP " + response.status));  // kept for the next try
  }

  function reasons(body) {
    var out = [];
    (function walk(v) {
      if (typeof v === "string") { out.push(v); }
      else if (Array.isArray(v)) { v.forEach(walk); }
      else if (v && typeof v === "object") { Object.keys(v).forEach(function (k) { if (k !== "code") { walk(v[k]); } }); }
    })(body);
    return out.join(" ");
  }

  function sendOne(item) {
    return fetch(root.getAttribute("data-api"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify(Object.assign({ client_id: item.client_id }, item.body))
    }).then(function (response) {
      return answer(item, response);
    }).then(function () { return VisitQueue.put(item); }, function (error) {
      return VisitQueue.put(item).then(function () { throw error; });
    });
  }

  function sync() {
    if (sending || !navigator.onLine) { return render(); }
    sending = true;
    return VisitQueue.all().then(function (items) {
      var waiting = items.filter(function (i) { return i.state === "queued"; });
      return waiting.reduce(function (chain, item) {
        return chain.then(function () { return sendOne(item); });
      }, Promise.resolve());
    }).catch(function () { /* offline again, or signed out: the rest waits */ })
      .then(function () { sending = false; return render(); });
  }

  function shrink(file) {
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, PHOTO_EDGE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return canvas.toDataURL("image/jpeg", 0.7);
    });
  }

  function locate() {
    if (!form.elements.locate.checked || !navigator.geolocation) { return Promise.resolve(null); }
    return new Promise(function (resolve) {
      navigator.geolocation.getCurrentPosition(function (p) {
        resolve({ latitude: p.coords.latitude.toFixed(6), longitude: p.coords.longitude.toFixed(6),
                  accuracy_m: Math.round(p.coords.accuracy) });
      }, function () { resolve(null); }, { timeout: 10000, maximumAge: 60000 });
    });
  }

  var NUMBERS = ["need_amount", "need_term", "credit_amount", "loan_amount", "rate"];
  var TEXTS = ["visitors", "met", "need_purpose", "offered", "decision", "decline_reason", "next_step"];
  var DATES = ["loan_date", "next_step_on"];
  var FLAGS = ["credit_loan", "renewal", "first_time"];

  function body() {
    var e = form.elements, out = {
      assignment: Number(e.assignment.value), enterprise: Number(e.enterprise.value),
      visited_at: new Date(e.visited_at.value).toISOString()
    };
    TEXTS.forEach(function (k) { out[k] = e[k].value.trim(); });
    NUMBERS.concat(DATES).forEach(function (k) { if (e[k].value) { out[k] = e[k].value; } });
    if (out.decision === "granted") { FLAGS.forEach(function (k) { out[k] = e[k].checked; }); }
    return out;
  }

  function save(event) {
    event.preventDefault();
    var e = form.elements, error = document.getElementById("form-error");
    if (!e.visited_at.value || !e.visitors.value.trim() || !e.decision.value) {
      error.textContent = msg("required");
      return;
    }
    error.textContent = "";
    var item = { client_id: VisitQueue.newId(), state: "queued", name: document.getElementById("visit-name").textContent,
                 saved_at: new Date().toISOString(), body: body(), message: "" };
    var files = Array.prototype.slice.call(e.photos.files, 0, 3);
    Promise.all(files.map(shrink)).then(function (photos) {
      item.body.photos = photos;
      return locate();
    }, function () {
      throw new Error(msg("photo"));
    }).then(function (place) {
      if (place) {
        Object.assign(item.body, place);
        document.getElementById("location-note").textContent = msg("accuracy") + " " + place.accuracy_m;
      }
      else if (e.locate.checked) { document.getElementById("location-note").textContent = msg("nolocation"); }
      return VisitQueue.put(item);
    }).then(function () {
      close();
      document.getElementById("connection").textContent = msg("saved");
      return sync();
    }).catch(function (err) { error.textContent = err.message; });
  }

  function open(li) {
    form.reset();
    form.elements.assignment.value = li.getAttribute("data-assignment");
    form.elements.enterprise.value = li.getAttribute("data-enterprise");
    document.getElementById("visit-name").textContent = li.getAttribute("data-name");
    var now = new Date(Date.now() - new Date().getTimezoneOffset() * 60000);
    form.elements.visited_at.value = now.toISOString().slice(0, 16);
    form.elements.visitors.value = localStorage.getItem("visits.visitors") || root.getAttribute("data-visitor");
    document.getElementById("location-note").textContent = "";
    document.getElementById("form-error").textContent = "";
    showWhen();
    form.hidden = false;
    form.scrollIntoView();
  }

  function close() {
    localStorage.setItem("visits.visitors", form.elements.visitors.value.trim());
    form.hidden = true;
  }

  function showWhen() {
    var decision = form.elements.decision.value;
    form.querySelectorAll("[data-when]").forEach(function (el) {
      el.hidden = el.getAttribute("data-when") !== decision;
    });
  }

  root.querySelectorAll("li.enterprise button.record").forEach(function (button) {
    button.addEventListener("click", function () { open(button.closest("li")); });
  });
  form.addEventListener("submit", save);
  form.elements.decision.addEventListener("change", showWhen);
  document.getElementById("cancel").addEventListener("click", function () { form.hidden = true; });
  document.getElementById("send-now").addEventListener("click", sync);
  window.addEventListener("online", function () { showConnection(); sync(); });
  window.addEventListener("offline", showConnection);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.getAttribute("data-worker"), { scope: root.getAttribute("data-scope") })
      .catch(function () { /* the page still works while it is open */ });
  }
  showConnection();
  sync();
})();
