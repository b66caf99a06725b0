/* Cultivation charts: the stage counts (funnel) and the projection (ECharts, served locally). */
(function () {
  "use strict";
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  var funnel = data("funnel-data");
  var funnelNode = document.getElementById("funnel");
  if (funnel && funnelNode && window.echarts) {
    // Stage counts as horizontal bars drawn to scale from zero (a funnel's bands are not
    // proportional to the counts, and a stage of 0 would still be a wide band): the first stage
    // on top, every count written beside its bar, a stage of 0 visible as an empty row.
    var chart = echarts.init(funnelNode);
    var names = funnel.stages.map(function (s) { return s.label; }).reverse();
    var values = funnel.stages.map(function (s) { return s.value; }).reverse();
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v + " 家"; } },
      grid: { left: 8, right: 56, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: "value", name: "家", minInterval: 1, axisLabel: { fontSize: 12 } },
      yAxis: { type: "category", data: names, axisLabel: { fontSize: 13, color: "#212529" } },
      series: [{
        type: "bar", data: values, barMaxWidth: 28, itemStyle: { color: "#0d6efd" },
        label: { show: true, position: "right", fontSize: 13, color: "#212529", formatter: "{c} 家" }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var proj = data("projection-data");
  var projNode = document.getElementById("projection-chart");
  if (proj && projNode && window.echarts) {
    var years = [];
    proj.hnte_history.forEach(function (p) { years.push(p[0]); });
    proj.years.forEach(function (p) { if (years.indexOf(p.year) < 0) years.push(p.year); });
    function series(points) {
      var map = {}; points.forEach(function (p) { map[p[0]] = p[1]; });
      return years.map(function (y) { return y in map ? map[y] : null; });
    }
    var hnteProj = proj.years.map(function (p) { return [p.year, p.hnte === null ? null : Math.round(p.hnte * 10) / 10]; });
    var hntePlain = proj.years.map(function (p) { return [p.year, p.hnte_without_support === null ? null : Math.round(p.hnte_without_support * 10) / 10]; });
    var tsmeProj = proj.years.map(function (p) { return [p.year, Math.round(p.tsme * 10) / 10]; });
    var last = proj.hnte_history[proj.hnte_history.length - 1];
    var lastT = proj.tsme_history[proj.tsme_history.length - 1];
    if (last) { hnteProj.unshift(last); hntePlain.unshift(last); }
    if (lastT) { tsmeProj.unshift(lastT); }
    var marks = function (value) { return value === null ? undefined : { symbol: "none", data: [{ yAxis: value, label: { formatter: "目标 {c}" } }] }; };
    var chart2 = echarts.init(projNode);
    chart2.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 30, top: 40, bottom: 30 },
      xAxis: { type: "category", data: years },
      yAxis: { type: "value", name: "家" },
      series: [
        { name: "高企（实际）", type: "line", data: series(proj.hnte_history), markLine: marks(proj.hnte_target) },
        { name: "高企（测算，含扶持）", type: "line", lineStyle: { type: "dashed" }, data: series(hnteProj) },
        { name: "高企（测算，不扶持）", type: "line", lineStyle: { type: "dotted" }, data: series(hntePlain) },
        { name: "科小（实际）", type: "line", data: series(proj.tsme_history), markLine: marks(proj.tsme_target) },
        { name: "科小（趋势测算）", type: "line", lineStyle: { type: "dashed" }, data: series(tsmeProj) }
      ]
    });
    window.addEventListener("resize", function () { chart2.resize(); });
  }
})();
