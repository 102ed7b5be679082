// Zoom introduction register: shows attendance arriving from Zoom while the mentor has the page open.
(function () {
  'use strict';
  if (typeof io === 'undefined') return;
  var socket = io();
  socket.on('zoom-intro:attendance', function (e) {
    var cell = document.querySelector('[data-attendance-for="' + e.candidateId + '"]');
    if (cell) cell.textContent = (e.present ? 'Present' : 'Absent') + ' (' + (e.source === 'zoom' ? 'from Zoom, just now' : 'register') + ')';
    var box = document.getElementById('p-' + e.candidateId);
    if (box) box.checked = !!e.present;
  });
})();
