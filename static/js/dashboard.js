// Charts of the KPI dashboard (Chart.js, vendored in static/vendor). Data: #kpi-chart-data.
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("kpi-chart-data");
    if (!node || typeof Chart === "undefined") return;
    var data = JSON.parse(node.textContent);
    var palette = ["#1d6b57", "#c2761b", "#3b5bdb", "#a61e4d", "#5c940d"];
    var bucketColors = ["#2b8a3e", "#94d82d", "#fcc419", "#fd7e14", "#f03e3e", "#c2255c", "#5f3dc4"];
    var collected = document.getElementById("chart-collected");
    if (collected) {
      // One axis per currency: COP and MXN amounts must never share (or add up on) a scale.
      var scales = { x: { ticks: { maxTicksLimit: 10 } } };
      var datasets = Object.keys(data.collected).map(function (currency, i) {
        var axis = "y" + i;
        scales[axis] = {
          position: i % 2 ? "right" : "left",
          title: { display: true, text: currency },
          grid: { drawOnChartArea: i === 0 },
        };
        return {
          label: currency,
          data: data.collected[currency],
          yAxisID: axis,
          borderColor: palette[i % palette.length],
          backgroundColor: palette[i % palette.length],
        };
      });
      new Chart(collected, {
        type: "bar",
        data: { labels: data.days, datasets: datasets },
        options: { animation: false, responsive: true, scales: scales },
      });
    }
    var aging = document.getElementById("chart-aging");
    if (aging) {
      // One bar per currency, stacked by bucket, as a share of that currency's balance.
      var currencies = Object.keys(data.aging);
      var sets = data.buckets.map(function (label, b) {
        return {
          label: label,
          backgroundColor: bucketColors[b % bucketColors.length],
          data: currencies.map(function (c) {
            var total = data.aging[c].reduce(function (a, v) { return a + v; }, 0);
            return total ? (100 * data.aging[c][b]) / total : 0;
          }),
        };
      });
      new Chart(aging, {
        type: "bar",
        data: { labels: currencies, datasets: sets },
        options: {
          animation: false,
          indexAxis: "y",
          responsive: true,
          scales: { x: { stacked: true, max: 100, ticks: { callback: function (v) { return v + " %"; } } }, y: { stacked: true } },
        },
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
