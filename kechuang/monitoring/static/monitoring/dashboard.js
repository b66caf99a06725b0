/* Plan monitoring charts: one ECharts line chart per indicator (counted published values, the
 * planned path, values computed from the registries, the trend forecast with its 90 % interval)
 * and the area × indicator heat map. Data comes from the json_script element "monitoring-data". */
(function () {
  "use strict";

  var source = document.getElementById("monitoring-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function fmt(value) {
    if (value === null || value === undefined || value === "-") {
      return "—";
    }
    return Number(value).toLocaleString("zh-CN", { maximumFractionDigits: 2 });
  }

  function lineChart(element, c) {
    var series = [
      {
        name: "规划路径",
        type: "line",
        data: c.path,
        connectNulls: true,
        symbol: "none",
        lineStyle: { type: "dashed", color: "#6c757d" },
        itemStyle: { color: "#6c757d" },
      },
      {
        name: "发布数（计入）",
        type: "line",
        data: c.counted,
        connectNulls: true,
        symbolSize: 8,
        itemStyle: { color: "#1f4e8c" },
        lineStyle: { width: 3 },
      },
    ];
    if (c.computed.some(function (v) { return v !== null; })) {
      series.push({
        name: "登记库计算",
        type: "line",
        data: c.computed,
        connectNulls: true,
        symbol: "diamond",
        symbolSize: 7,
        itemStyle: { color: "#6f42c1" },
        lineStyle: { type: "dotted" },
      });
    }
    if (c.forecast.some(function (v) { return v !== null; })) {
      series.push({
        name: "趋势预测",
        type: "line",
        data: c.forecast,
        connectNulls: true,
        symbol: "circle",
        itemStyle: { color: "#fd7e14" },
        lineStyle: { type: "dashed", color: "#fd7e14" },
      });
    }
    if (c.forecast_interval) {
      series.push(
        {
          name: "预测区间下限",
          type: "line",
          data: c.forecast_low,
          stack: "interval",
          symbol: "none",
          lineStyle: { opacity: 0 },
          tooltip: { show: false },
          silent: true,
        },
        {
          name: "预测区间（90%）",
          type: "line",
          data: c.forecast_span,
          stack: "interval",
          symbol: "none",
          lineStyle: { opacity: 0 },
          areaStyle: { color: "rgba(253, 126, 20, 0.18)" },
          itemStyle: { color: "rgba(253, 126, 20, 0.4)" },
          tooltip: { show: false },
          silent: true,
        }
      );
    }
    if (c.not_counted.length) {
      series.push({
        name: "未计入（预测数等）",
        type: "scatter",
        data: c.not_counted.map(function (o) {
          return { value: [String(o.year), o.value], reason: o.reason };
        }),
        symbol: "triangle",
        symbolSize: 8,
        itemStyle: { color: "#adb5bd" },
      });
    }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 12, top: 36, bottom: 24 },
      legend: { top: 0, textStyle: { fontSize: 11 }, itemWidth: 14, itemHeight: 8,
        data: series.map(function (s) { return s.name; }).filter(function (n) {
          return n !== "预测区间下限";
        }) },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          if (!items.length) {
            return "";
          }
          var index = items[0].dataIndex;
          var lines = [items[0].axisValue + " 年"];
          items.forEach(function (item) {
            if (item.seriesType === "scatter" && item.data && item.data.reason) {
              lines.push(item.marker + fmt(item.data.value[1]) + " " + c.unit + "（" + item.data.reason + "）");
              return;
            }
            if (item.value === null || item.value === undefined) {
              return;
            }
            var label = item.seriesName;
            if (label === "发布数（计入）" && c.counted_kinds[index]) {
              label = "发布数（" + c.counted_kinds[index] + "）";
            }
            lines.push(item.marker + label + "：" + fmt(item.value) + " " + c.unit);
          });
          if (c.forecast_interval && index === c.years.length - 1) {
            lines.push("预测区间（90%）：" + fmt(c.forecast_interval[0]) + " ～ " + fmt(c.forecast_interval[1]));
          }
          return lines.join("<br>");
        },
      },
      xAxis: { type: "category", data: c.years, boundaryGap: false },
      yAxis: { type: "value", scale: true, name: c.unit, nameTextStyle: { fontSize: 11 } },
      series: series,
    });
    charts.push(chart);
  }

  function heatmap(element, h) {
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 110, right: 20, top: 10, bottom: 110 },
      tooltip: {
        formatter: function (p) {
          var v = p.data.value;
          var text = h.areas[v[1]] + " · " + h.indicators[v[0]] + "<br>完成度：";
          text += v[2] === "-" ? "暂无数据" : fmt(v[2]) + "%";
          if (p.data.source === "computed") {
            text += "（无发布数据，取登记库计算值）";
          }
          return text;
        },
      },
      xAxis: { type: "category", data: h.indicators, axisLabel: { rotate: 40, fontSize: 11,
        formatter: function (n) { return n.length > 10 ? n.slice(0, 10) + "…" : n; } } },
      yAxis: { type: "category", data: h.areas, inverse: true },
      visualMap: {
        min: 0, max: 100, calculable: true, orient: "horizontal", left: "center", bottom: 0,
        inRange: { color: ["#dc3545", "#ffc107", "#0d6efd", "#198754"] },
        text: ["100%", "0%"],
      },
      series: [{
        name: "完成度",
        type: "heatmap",
        data: h.cells.map(function (cell) {
          return { value: [cell.value[0], cell.value[1], cell.value[2] === null ? "-" : cell.value[2]],
            source: cell.source };
        }),
        label: { show: true, fontSize: 10, formatter: function (p) {
          var v = p.data.value[2];
          return v === "-" ? "" : fmt(v) + (p.data.source === "computed" ? "*" : "");
        } },
      }],
    });
    charts.push(chart);
  }

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var c = data.charts && data.charts[element.getAttribute("data-chart")];
    if (c) {
      lineChart(element, c);
    }
  });
  var heat = document.querySelector("[data-heatmap]");
  if (heat && data.heatmap && data.heatmap.areas.length) {
    // the height grows with the number of areas; set here, not in a style attribute (CSP)
    heat.style.height = heat.getAttribute("data-height") || "480px";
    heatmap(heat, data.heatmap);
  }
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
