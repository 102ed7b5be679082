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
  // A new notification is said on the page the person has open (e.g. "Priya Shah opened a live feedback room for
  // you"), with its link, in a polite live region at the top of the main content.
  function announce(n) {
    var main = document.getElementById('main');
    if (!main || !n || !n.title) return;
    var region = document.getElementById('notification-flash');
    if (!region) {
      region = document.createElement('div');
      region.id = 'notification-flash';
      region.className = 'notice notification-flash';
      region.setAttribute('role', 'status');
      region.setAttribute('data-testid', 'notification-flash');
      main.insertBefore(region, main.firstChild);
    }
    region.textContent = '';
    var p = document.createElement('p');
    var strong = document.createElement('strong');
    strong.textContent = n.title;
    p.appendChild(strong);
    if (n.body) p.appendChild(document.createTextNode(' ' + n.body));
    region.appendChild(p);
    if (n.link && n.link.charAt(0) === '/') {
      var a = document.createElement('a');
      a.className = 'button';
      a.href = n.link;
      a.textContent = 'Open';
      var what = document.createElement('span');
      what.className = 'visually-hidden';
      what.textContent = ': ' + n.title;
      a.appendChild(what);
      var go = document.createElement('p');
      go.appendChild(a);
      region.appendChild(go);
    }
  }
  document.addEventListener('DOMContentLoaded', function () {
    if (window.__cadreNotifications || !badges().length) return;
    window.__cadreNotifications = true;
    refresh();
    if (typeof io !== 'function') return;
    var socket = io({ transports: ['websocket', 'polling'] });
    socket.on('notification:new', function (n) { refresh(); announce(n); });
    socket.on('notification:read', refresh);
    socket.on('connect', refresh);
  });
})();
