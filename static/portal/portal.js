/* The base layout's behaviour: the menu (one button on narrow screens, a disclosure per group),
   the error summary (focused when a form comes back; its links focus their fields), wide tables
   scrolling in a box of their own, and the warning before the session ends. Every page works
   without it; it only adds. */
(function () {
  "use strict";

  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var target = document.getElementById(button.getAttribute("aria-controls"));
    if (target) target.classList.toggle("open", open);
  }

  function menu() {
    var nav = document.getElementById("mainnav");
    if (!nav) return;
    document.documentElement.classList.add("js-menu");
    var toggle = document.querySelector(".menu-button");
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        setOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
      });
    }
    var groups = nav.querySelectorAll(".menu-group-button");
    groups.forEach(function (button) {
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        groups.forEach(function (other) { if (other !== button) setOpen(other, false); });
        setOpen(button, open);
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      groups.forEach(function (button) {
        if (button.getAttribute("aria-expanded") === "true") { setOpen(button, false); button.focus(); }
      });
    });
    document.addEventListener("click", function (event) {
      if (nav.contains(event.target)) return;
      groups.forEach(function (button) { setOpen(button, false); });
    });
  }

  function errorSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
    document.addEventListener("click", function (event) {
      var link = event.target.closest(".error-summary a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView();
      field.focus();
    });
    // The server's error summary speaks for every field at once; the browser's own bubbles
    // would stop an empty form before it and say one thing at a time.
    document.querySelectorAll("form[method=post], form[method=POST]").forEach(function (form) {
      form.noValidate = true;
    });
  }

  // A date, or a date and time, is one value: never broken across lines ("2026-12-/13").
  var DATE = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$/;

  function wideTables() {
    document.querySelectorAll("main td").forEach(function (cell) {
      if (DATE.test(cell.textContent.trim())) cell.classList.add("nowrap");
    });
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.closest(".table-scroll, .board-scroll")) return;
      var box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
      if (box.scrollWidth > box.clientWidth) {
        // A box that scrolls must be reachable by keyboard, and named for a screen reader.
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        var caption = table.querySelector("caption");
        var heading = caption || box.previousElementSibling;
        box.setAttribute("aria-label", heading ? heading.textContent.trim() : table.rows[0].textContent.trim());
      }
    });
  }

  function sessionWarning() {
    var dialog = document.getElementById("session-warning");
    if (!dialog) return;
    var seconds = parseInt(dialog.dataset.seconds, 10);
    var warn = parseInt(dialog.dataset.warn, 10);
    var timers = [];
    function schedule(left) {
      timers.forEach(clearTimeout);
      timers = [
        setTimeout(function () { dialog.hidden = false; dialog.focus(); }, Math.max(0, left - warn) * 1000),
        // When the session has ended, the reload takes the reader to the sign-in page.
        setTimeout(function () { window.location.reload(); }, (left + 1) * 1000),
      ];
    }
    dialog.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(this.action, { method: "POST", body: new FormData(this), headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) { dialog.hidden = true; schedule(data.seconds); });
    });
    if (!isNaN(seconds)) schedule(seconds);
  }

  function start() { menu(); errorSummary(); wideTables(); sessionWarning(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
