// Cadre charts: draws each <canvas data-chart="{type, labels, datasets, max}"> with Chart.js.
// The same numbers are always in a table beside the canvas, so nothing depends on this script.
(function () {
  'use strict';
  var palette = ['#1f4e79', '#1d6b3a', '#7a4b00', '#a0241a'];
  function draw(canvas) {
    var spec;
    try {
      spec = JSON.parse(canvas.getAttribute('data-chart'));
    } catch {
      return;
    }
    if (!spec || !spec.labels || !spec.labels.length || typeof Chart === 'undefined') return;
    var datasets = spec.datasets.map(function (d, i) {
      return { label: d.label, data: d.data, backgroundColor: palette[i % palette.length] };
    });
    var scales = { y: { beginAtZero: true, ticks: { precision: 0 } } };
    if (spec.max) scales.y.max = spec.max;
    new Chart(canvas, {
      type: spec.type || 'bar',
      data: { labels: spec.labels, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: scales, plugins: { legend: { display: datasets.length > 1 } } },
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('canvas[data-chart]').forEach(draw);
  });
})();
