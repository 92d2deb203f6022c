/* The dashboard's charts: each [data-chart] element names a json_script block holding what to
   draw (built by supervision/charts.py); this file turns it into ECharts options. No inline
   script anywhere, so the page's Content-Security-Policy stays strict. */
(function () {
  "use strict";

  var INK = "#1d2733";
  var COLOURS = ["#9b1c1c", "#12508a", "#1d6f42", "#8a5a00", "#5b6775"];

  function shareColour(share) {
    // Red (no institution on target) through amber to green (all on target); grey: none.
    if (share === null || share === undefined) return "#c9ced6";
    var t = Math.max(0, Math.min(100, share)) / 100;
    var from = t < 0.5 ? [161, 32, 32] : [196, 140, 20];
    var to = t < 0.5 ? [196, 140, 20] : [29, 111, 66];
    var k = t < 0.5 ? t * 2 : (t - 0.5) * 2;
    var rgb = from.map(function (c, i) { return Math.round(c + (to[i] - c) * k); });
    return "rgb(" + rgb.join(",") + ")";
  }

  var HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) { return HTML_ESCAPES[c]; });
  }

  var BUILD = {
    trend: function (spec) {
      return {
        color: COLOURS,
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 70, right: 50, top: 40, bottom: 30 },
        xAxis: { type: "category", data: spec.categories },
        yAxis: [{ type: "value" }, { type: "value", axisLabel: { formatter: "{value}%" } }],
        series: spec.series.map(function (s) {
          return { name: s.name, type: s.type, yAxisIndex: s.axis, data: s.data, connectNulls: true };
        })
      };
    },
    ranking: function (spec) {
      return {
        color: COLOURS,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 10, right: 30, top: 10, bottom: 20, containLabel: true },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: spec.categories, axisLabel: { width: 160, overflow: "truncate" } },
        series: spec.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      };
    },
    targets: function (spec) {
      return {
        color: ["#a12020"],
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 10, right: 30, top: 10, bottom: 20, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: spec.categories, inverse: true, axisLabel: { width: 170, overflow: "truncate" } },
        series: spec.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      };
    },
    completeness: function (spec) {
      return {
        color: ["#1d6f42", "#c48c14", "#a12020"],
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 10, right: 30, top: 40, bottom: 20, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: spec.categories, inverse: true, axisLabel: { width: 170, overflow: "truncate" } },
        series: spec.series.map(function (s) {
          return { name: s.name, type: "bar", stack: s.stack, data: s.data };
        })
      };
    },
    columns: function (spec) {
      return {
        color: COLOURS,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 10, right: 20, top: 40, bottom: 10, containLabel: true },
        xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, width: 90, overflow: "break" } },
        yAxis: { type: "value", minInterval: 1 },
        series: spec.series.map(function (s) {
          return { name: s.name, type: "bar", data: s.data };
        })
      };
    },
    offices: function (spec) {
      var series = spec.series[0];
      return {
        tooltip: {
          formatter: function (p) {
            // ECharts puts what this returns into the page as HTML: office names are text.
            var share = p.data.share === null ? "—" : p.data.share + "%";
            return [
              escapeHtml(p.name),
              escapeHtml(series.name) + ": " + escapeHtml(p.value),
              escapeHtml(spec.legend) + ": " + escapeHtml(share)
            ].join("<br>");
          }
        },
        series: [{
          name: series.name,
          type: "treemap",
          roam: false,
          nodeClick: false,
          breadcrumb: { show: false },
          label: { color: "#fff" },
          data: series.data.map(function (node) {
            return {
              name: node.name, value: node.value, share: node.share, url: node.url,
              itemStyle: { color: shareColour(node.share), borderColor: "#fff", borderWidth: 2 }
            };
          })
        }]
      };
    }
  };

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-source"));
    if (!source || typeof echarts === "undefined") return;
    var spec = JSON.parse(source.textContent);
    var chart = echarts.init(element, null, { renderer: "canvas" });
    var option = BUILD[spec.kind](spec);
    option.textStyle = { color: INK };
    option.animation = false;
    chart.setOption(option);
    chart.on("click", function (event) {
      if (event.data && event.data.url) window.location.assign(event.data.url);
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  });
})();
