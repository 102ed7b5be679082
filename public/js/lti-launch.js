// Cadre LTI launch page: continue in this frame when the browser keeps Cadre's cookies here; otherwise offer Cadre in
// its own window. Without this script both buttons are shown and either works (the entry token works once).
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var here = document.querySelector('form[data-lti-here]');
    var popup = document.querySelector('form[data-lti-window]');
    var blocked = document.querySelector('[data-lti-blocked]');
    if (!here) return;
    var framed = false;
    try {
      framed = window.top !== window.self;
    } catch {
      framed = true;
    }
    if (!framed) {
      if (popup) popup.hidden = true;
      here.submit();
      return;
    }
    fetch('/lti/probe', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (res) {
        return res.json();
      })
      .then(function (answer) {
        if (answer && answer.cookies) {
          if (popup) popup.hidden = true;
          here.submit();
        } else {
          here.hidden = true;
          if (blocked) blocked.hidden = false;
          if (popup) {
            popup.addEventListener('submit', function () {
              if (blocked) blocked.querySelector('p').textContent = 'Cadre opened in a new window. You can carry on there.';
            });
            var button = popup.querySelector('button');
            if (button) button.focus();
          }
        }
      })
      .catch(function () {
        if (blocked) blocked.hidden = false;
      });
  });
})();
