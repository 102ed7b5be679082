// Cadre notifications: keeps the nav badge [data-notification-count] live over socket.io.
// Without this script the badge still shows the count the page was rendered with.
(function () {
  'use strict';
  function badges() {
    return document.querySelectorAll('[data-notification-count]');
  }
  function show(n) {
    badges().forEach(function (b) {
      b.textContent = n > 0 ? String(n) : '';
      b.hidden = !(n > 0);
      b.setAttribute('aria-label', n === 1 ? '1 unread notification' : n + ' unread notifications');
    });
  }
  function refresh() {
    fetch('/api/v1/notifications/unread-count', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (body) {
        if (body && typeof body.unread === 'number') show(body.unread);
      })
      .catch(function () {});
  }
  document.addEventListener('DOMContentLoaded', function () {
    if (window.__cadreNotifications || !badges().length) return;
    window.__cadreNotifications = true;
    refresh();
    if (typeof io !== 'function') return;
    var socket = io({ transports: ['websocket', 'polling'] });
    socket.on('notification:new', refresh);
    socket.on('notification:read', refresh);
    socket.on('connect', refresh);
  });
})();
