/* The policy simulation: cost by area (current and changed parameters) and the distribution of
 * amounts. Data from the json_script element "simulation-data"; ECharts served by the platform. */
(function () {
  "use strict";
  var source = document.getElementById("simulation-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var area = echarts.init(document.getElementById("chart-area"));
  area.setOption({
    title: { text: "按区域的兑现金额（元）", left: "center", textStyle: { fontSize: 13 } },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    xAxis: { type: "category", data: data.areas, axisLabel: { rotate: 30 } },
    yAxis: { type: "value" },
    series: [
      { name: "现行参数", type: "bar", data: data.before, itemStyle: { color: "#1f4e8c" } },
      { name: "调整后", type: "bar", data: data.after, itemStyle: { color: "#d9822b" } }
    ]
  });
  var bands = echarts.init(document.getElementById("chart-bands"));
  bands.setOption({
    title: { text: "金额分布（企业数）", left: "center", textStyle: { fontSize: 13 } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.bands, axisLabel: { rotate: 30 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.band_counts, itemStyle: { color: "#2e8b57" } }]
  });
  window.addEventListener("resize", function () { area.resize(); bands.resize(); });
})();
