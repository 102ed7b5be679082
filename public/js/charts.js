// Cadre charts: draws each <canvas data-chart="{type, labels, datasets, min, max, horizontal, axes: {x, y}, markers}"> with Chart.js.
// `axes` titles the axes; a label that is an array of strings is drawn on several lines.
// The same numbers are always in a table beside the canvas, so nothing depends on this script.
// `markers` ([{index, label}]) draws a numbered dashed line at a label's position (e.g. programme milestones);
// a null value in a line's data is a gap (a month with no data), never drawn as zero.
(function () {
  'use strict';
  var palette = ['#1f4e79', '#1d6b3a', '#7a4b00', '#a0241a'];
  var markerPlugin = {
    id: 'cadreMarkers',
    afterDatasetsDraw: function (chart) {
      var markers = chart.options.plugins.cadreMarkers && chart.options.plugins.cadreMarkers.markers;
      if (!markers || !markers.length) return;
      var ctx = chart.ctx;
      var area = chart.chartArea;
      var x = chart.scales.x;
      ctx.save();
      markers.forEach(function (m) {
        var px = x.getPixelForValue(m.index);
        ctx.strokeStyle = '#7a4b00';
        ctx.lineWidth = 1.5;
        ctx.setLineDash([5, 4]);
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        // A rounded badge wide enough for its label ("2, 3" when milestones share a month).
        ctx.font = 'bold 11px system-ui, sans-serif';
        var w = Math.max(18, ctx.measureText(m.label).width + 10);
        ctx.fillStyle = '#7a4b00';
        ctx.beginPath();
        ctx.roundRect(px - w / 2, area.top, w, 18, 9);
        ctx.fill();
        ctx.fillStyle = '#fff';
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText(m.label, px, area.top + 9);
      });
      ctx.restore();
    },
  };
  function draw(canvas) {
    var spec;
    try {
      spec = JSON.parse(canvas.getAttribute('data-chart'));
    } catch {
      return;
    }
    if (!spec || !spec.labels || !spec.labels.length || typeof Chart === 'undefined') return;
    var line = spec.type === 'line';
    var datasets = spec.datasets.map(function (d, i) {
      var colour = palette[i % palette.length];
      return line
        ? { label: d.label, data: d.data, borderColor: colour, backgroundColor: colour, borderWidth: 2, pointRadius: 3, spanGaps: false, borderDash: i % 2 ? [6, 3] : [] }
        : { label: d.label, data: d.data, backgroundColor: colour };
    });
    var value = { beginAtZero: true, ticks: { precision: 0, color: '#333' } };
    if (spec.max) value.max = spec.max;
    if (typeof spec.min === 'number') value.min = spec.min;
    // Category labels may be arrays of lines (a long criterion's full name, wrapped): never cut short.
    var category = { ticks: { autoSkip: false, color: '#333' } };
    var scales = spec.horizontal ? { x: value, y: category } : { y: value, x: category };
    var axes = spec.axes || {};
    ['x', 'y'].forEach(function (k) {
      if (axes[k]) scales[k].title = { display: true, text: axes[k], color: '#1a1a1a', font: { weight: 'bold' } };
    });
    new Chart(canvas, {
      type: spec.type || 'bar',
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: { legend: { display: datasets.length > 1 }, cadreMarkers: { markers: spec.markers || [] } },
      },
      plugins: [markerPlugin],
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('canvas[data-chart]').forEach(draw);
  });
})();
