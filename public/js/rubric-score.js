// Rubric scoring: a running weighted score and the pass / essential-criterion state as the mentor taps.
// The same arithmetic as server/rubrics/score.ts (which decides on submit): Σ(weight × points ÷ max points) ÷ Σ weight.
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var form = document.querySelector('[data-testid="assess-form"]');
    var out = document.getElementById('running-score');
    if (!form || !out) return;
    var threshold = Number(form.getAttribute('data-pass-threshold')) || 0;
    var criteria = Array.prototype.slice.call(form.querySelectorAll('[data-testid="criterion"]'));
    var max = 0;
    form.querySelectorAll('input[data-points]').forEach(function (i) { max = Math.max(max, Number(i.getAttribute('data-points')) || 0); });
    if (!criteria.length || !(max > 0)) return;

    function update() {
      var weighted = 0, weights = 0, allWeights = 0, chosen = 0, below = [];
      criteria.forEach(function (c) {
        var w = Number(c.getAttribute('data-weight')) || 0;
        allWeights += w;
        var picked = c.querySelector('input[type="radio"]:checked');
        if (!picked) return;
        chosen += 1;
        weighted += w * ((Number(picked.getAttribute('data-points')) || 0) / max);
        weights += w;
        if (c.getAttribute('data-must-pass') === 'true' && Number(picked.value) < Number(c.getAttribute('data-pass-level'))) {
          below.push(c.querySelector('.criterion-title').textContent);
        }
      });
      var pct = weights > 0 ? Math.round((weighted / weights) * 100 * 100) / 100 : 0;
      var all = chosen === criteria.length;
      var lines = [];
      lines.push(chosen ? 'Running score: ' + pct + '% (pass mark ' + threshold + '%)' : 'Tap a level for each criterion to see the running score (pass mark ' + threshold + '%).');
      lines.push(chosen + ' of ' + criteria.length + ' criteria scored' + (all || !allWeights ? '.' : ' — the score may still change.'));
      if (below.length) lines.push('Essential criterion below its pass level: ' + below.join(', ') + '. This is not a pass whatever the total.');
      else if (chosen) lines.push('Every essential criterion scored so far is at its pass level.');
      var state = below.length ? 'fail' : all ? (pct >= threshold ? 'pass' : 'fail') : 'partial';
      if (all) lines.unshift(state === 'pass' ? 'Pass.' : 'Not yet a pass.');
      out.setAttribute('data-state', state);
      out.hidden = false;
      out.textContent = '';
      lines.forEach(function (l) { var p = document.createElement('p'); p.textContent = l; out.appendChild(p); });
    }
    form.addEventListener('change', update);
    update();
  });
})();
