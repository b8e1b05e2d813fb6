// Charts of the KPI dashboard (Chart.js, vendored in static/vendor). Data: #kpi-chart-data.
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("kpi-chart-data");
    if (!node || typeof Chart === "undefined") return;
    var data = JSON.parse(node.textContent);
    var palette = ["#1d6b57", "#c2761b", "#3b5bdb", "#a61e4d", "#5c940d"];
    var bucketColors = ["#2b8a3e", "#94d82d", "#fcc419", "#fd7e14", "#f03e3e", "#c2255c", "#5f3dc4"];
    // One chart per currency, weekly: COP, MXN and USD never share (or add up on) an axis.
    var lang = document.documentElement.lang || "es";
    document.querySelectorAll("canvas.chart-collected").forEach(function (canvas, i) {
      var currency = canvas.dataset.currency;
      var series = data.weeks[currency];
      if (!series) return;
      var money = new Intl.NumberFormat(lang, { style: "currency", currency: currency });
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: series.labels,
          datasets: [{
            label: currency,
            data: series.values,
            borderColor: palette[i % palette.length],
            backgroundColor: palette[i % palette.length],
          }],
        },
        options: {
          animation: false,
          responsive: true,
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { label: function (ctx) { return money.format(ctx.parsed.y); } } },
          },
          scales: { y: { ticks: { callback: function (v) { return money.format(v); } } } },
        },
      });
    });
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
