/* Technology-contract statistics: amounts by period, categories, 技术输出 and 技术吸纳 by area.
 * Data comes from the json_script element "contracts-data"; ECharts is served by the platform. */
(function () {
  "use strict";
  var source = document.getElementById("contracts-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function chart(id, option) {
    var element = document.getElementById(id);
    if (!element) {
      return;
    }
    var c = echarts.init(element);
    c.setOption(option);
    charts.push(c);
  }

  chart("chart-period", {
    title: { text: "成交额与技术交易额（万元）", left: "center", textStyle: { fontSize: 13 } },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    xAxis: { type: "category", data: data.periods },
    yAxis: { type: "value" },
    series: [
      { name: "合同成交额", type: "bar", data: data.period_total, itemStyle: { color: "#1f4e8c" } },
      { name: "技术交易额", type: "bar", data: data.period_tech, itemStyle: { color: "#6f42c1" } },
    ],
  });
  chart("chart-category", {
    title: { text: "按类别（成交额）", left: "center", textStyle: { fontSize: 13 } },
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.categories }],
  });
  function areaBar(id, title, rows, color) {
    chart(id, {
      title: { text: title, left: "center", textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" },
      grid: { left: 90 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: rows.map(function (r) { return r[0]; }).reverse() },
      series: [{ type: "bar", data: rows.map(function (r) { return r[1]; }).reverse(), itemStyle: { color: color } }],
    });
  }
  areaBar("chart-output", "技术输出：卖方区域（成交额，万元）", data.output, "#1f4e8c");
  areaBar("chart-absorbed", "技术吸纳：买方区域（成交额，万元）", data.absorbed, "#198754");
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
