/* Statistics page: draws one ECharts chart per table from the JSON the page embeds (#stats-data). */
(function () {
  var holder = document.getElementById("stats-data");
  if (!holder || typeof echarts === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var pies = { gender: true, staff_type: true, school_type: true };

  function draw(id, labels, values, pie) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el);
    if (pie) {
      chart.setOption({
        tooltip: { trigger: "item", formatter: "{b}：{c} 人（{d}%）" },
        series: [{ type: "pie", radius: ["35%", "65%"], data: labels.map(function (l, i) { return { name: l, value: values[i] }; }) }]
      });
    } else {
      chart.setOption({
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 24, top: 12, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: labels, inverse: true, axisLabel: { width: 140, overflow: "truncate" } },
        series: [{ type: "bar", data: values, label: { show: true, position: "right" } }]
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  data.tables.forEach(function (t) { draw("chart-" + t.key, t.labels, t.values, !!pies[t.key]); });
  if (data.units.labels.length) { draw("chart-units", data.units.labels, data.units.values, false); }
})();
