// Live room for the candidate: released notes arrive in order, once each; receipts tell the mentor
// "delivered" and "seen"; "I'm done" releases held notes. Also the timeline's print button.
(function () {
  'use strict';

  var TEXT = { strength: 'Strength', to_work_on: 'To work on' };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-print]').forEach(function (b) {
      b.addEventListener('click', function () { window.print(); });
    });
    var root = document.getElementById('live-root');
    // An ended room is a record: its notes and the timeline link are already on the page.
    if (!root || typeof io === 'undefined' || root.getAttribute('data-ended') === 'true') return;
    var roomId = root.getAttribute('data-room-id');
    var lastSeq = Number(root.getAttribute('data-last-seq')) || 0;
    var list = document.getElementById('live-notes');
    var statusEl = document.getElementById('connection-status');
    var heldEl = document.getElementById('held-count');
    var pending = {};
    var gapTimer = null;
    var receiptTimer = null;
    var acked = { delivered: 0, seen: 0 };
    var fatal = null;
    var socket = io({ transports: ['websocket', 'polling'] });

    function setStatus() {
      var state, text;
      // Offline first: the socket notices a lost network only after its ping times out.
      if (fatal) { state = 'offline'; text = fatal; }
      else if (!navigator.onLine) { state = 'offline'; text = 'Offline — notes will arrive when you are back online'; }
      else if (socket.connected) { state = 'connected'; text = 'Connected'; }
      else { state = 'reconnecting'; text = 'Reconnecting…'; }
      if (!statusEl.isConnected) return;
      statusEl.setAttribute('data-state', state);
      if (statusEl.textContent !== text) statusEl.textContent = text;
    }

    function render(note) {
      if (document.getElementById('note-' + note.id)) return;
      var empty = document.getElementById('no-notes');
      if (empty) empty.remove();
      var li = el('li', 'live-note live-note-' + note.kind);
      li.id = 'note-' + note.id;
      li.setAttribute('data-testid', 'live-note');
      li.setAttribute('data-seq', String(note.releaseSeq));
      var meta = el('p', 'live-note-meta');
      meta.appendChild(el('span', 'live-time', note.timeCode));
      meta.appendChild(el('span', 'tag', TEXT[note.kind]));
      if (note.criterion) meta.appendChild(el('span', 'tag', note.criterion.title));
      (note.tags || []).forEach(function (t) { meta.appendChild(el('span', 'tag', t)); });
      li.appendChild(meta);
      li.appendChild(el('p', 'live-note-body', note.body));
      li.appendChild(el('p', 'hint', 'From ' + note.author.name));
      list.insertBefore(li, list.firstChild);
    }

    function sendReceipt() {
      clearTimeout(receiptTimer);
      receiptTimer = setTimeout(function () {
        var seen = document.visibilityState === 'visible';
        if (!lastSeq || !socket.connected) return;
        if (lastSeq <= acked.delivered && (!seen || lastSeq <= acked.seen)) return;
        var upTo = lastSeq;
        socket.emit('live:receipt', { roomId: roomId, upToReleaseSeq: upTo, seen: seen }, function (res) {
          if (res && res.error) return;
          acked.delivered = Math.max(acked.delivered, upTo);
          if (seen) acked.seen = Math.max(acked.seen, upTo);
        });
      }, 400);
    }

    // The candidate's stream is ordered by release seq: apply each once, in order; fill gaps from the server.
    function accept(note) {
      if (note.releaseSeq === null || note.releaseSeq <= lastSeq) return;
      pending[note.releaseSeq] = note;
      while (pending[lastSeq + 1]) {
        var next = pending[lastSeq + 1];
        delete pending[lastSeq + 1];
        render(next);
        lastSeq = next.releaseSeq;
      }
      clearTimeout(gapTimer);
      if (Object.keys(pending).length) gapTimer = setTimeout(join, 1000);
      sendReceipt();
    }

    function updateHeld(held) {
      if (!heldEl || typeof held !== 'number') return;
      heldEl.textContent = held ? held + (held === 1 ? ' note is' : ' notes are') + ' waiting for when you finish.' : 'No notes waiting.';
    }

    // The mentor ended the session: say so, offer the timeline, and stop listening (the released notes are here).
    function ended() {
      fatal = 'This live session has ended.';
      var notice = document.getElementById('room-ended');
      if (notice) notice.hidden = false;
      // The socket stays open so receipts for the notes the end released still reach the mentor.
      [heldEl, statusEl, document.getElementById('release-form'), document.getElementById('quiet-note')].forEach(function (e) { if (e) e.remove(); });
    }

    function join() {
      if (!socket.connected) return;
      socket.emit('live:join', { roomId: roomId, afterSeq: lastSeq }, function (res) {
        if (res && res.error) { fatal = res.error.message; setStatus(); return; }
        res.notes.forEach(accept);
        if (res.room && res.room.endedAt) return ended();
        updateHeld(res.held);
        if (res.hasMore) join();
        sendReceipt();
      });
    }

    socket.on('connect', function () { fatal = null; setStatus(); join(); });
    socket.on('disconnect', setStatus);
    socket.on('connect_error', function (err) {
      if (err && err.message === 'unauthorized') { fatal = 'Your login has ended — log in again to see new notes.'; socket.disconnect(); }
      setStatus();
    });
    socket.io.on('reconnect_attempt', setStatus);
    window.addEventListener('online', setStatus);
    window.addEventListener('offline', setStatus);
    document.addEventListener('visibilitychange', sendReceipt);
    socket.on('live:note', function (m) { if (m.roomId === roomId) accept(m.note); });
    socket.on('live:held', function (m) { if (m.roomId === roomId) updateHeld(m.held); });
    socket.on('live:room', function (m) {
      if (m.roomId !== roomId) return;
      if (m.room.endedAt) return ended();
      updateHeld(m.held);
      var quiet = document.getElementById('quiet-note');
      if (quiet) quiet.textContent = m.room.quietMode ? 'Quiet mode is on: notes wait until the segment ends or you say you are done, so nothing distracts you mid-flow.' : 'Notes arrive as your mentors write them.';
    });

    var done = document.getElementById('release-form');
    if (done) {
      done.addEventListener('submit', function (e) {
        if (!socket.connected) return;
        e.preventDefault();
        socket.emit('live:release', { roomId: roomId }, function (res) {
          if (res && res.error) heldEl.textContent = res.error.message;
        });
      });
    }
    setStatus();
  });
})();
