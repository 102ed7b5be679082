// Live room for mentors and observers: an offline-safe outbox, ordered de-duplicated notes, states and status.
// Without this script the page still works: the forms post and the page reloads.
(function () {
  'use strict';

  var TEXT = { strength: 'Strength', to_work_on: 'To work on' };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function timeCode(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, '0');
    return h ? h + ':' + String(m).padStart(2, '0') + ':' + sec : m + ':' + sec;
  }

  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  document.addEventListener('DOMContentLoaded', function () {
    var root = document.getElementById('live-root');
    // An ended room is a record: nothing to connect to, and its banner already says it ended.
    if (!root || typeof io === 'undefined' || root.getAttribute('data-ended') === 'true') return;
    var roomId = root.getAttribute('data-room-id');
    var startedAt = Date.parse(root.getAttribute('data-started-at'));
    var lastSeq = Number(root.getAttribute('data-last-seq')) || 0;
    var list = document.getElementById('live-notes');
    var statusEl = document.getElementById('connection-status');
    var outboxEl = document.getElementById('outbox-status');
    var heldEl = document.getElementById('held-count');
    var form = document.getElementById('note-form');
    var outboxKey = 'cadre.live.outbox.' + roomId;
    var pending = {};
    var sending = false;
    var gapTimer = null;
    var fatal = null;

    function outbox() {
      try { return JSON.parse(localStorage.getItem(outboxKey) || '[]'); } catch { return []; }
    }
    function saveOutbox(items) { localStorage.setItem(outboxKey, JSON.stringify(items)); }

    var socket = io({ transports: ['websocket', 'polling'] });

    function setStatus() {
      var n = outbox().length;
      var waiting = n ? ' — ' + plural(n, 'note', 'notes') + ' waiting to send' : '';
      var state, text;
      // Offline first: a socket notices a lost network only after its ping times out, and must never say "Connected" then.
      if (fatal) { state = 'offline'; text = fatal; }
      else if (!navigator.onLine) { state = 'offline'; text = 'Offline — notes you write are kept on this device' + waiting; }
      else if (socket.connected) { state = 'connected'; text = n ? 'Connected — sending ' + plural(n, 'note', 'notes') + '…' : 'Connected'; }
      else { state = 'reconnecting'; text = 'Reconnecting…' + waiting; }
      statusEl.setAttribute('data-state', state);
      if (statusEl.textContent !== text) statusEl.textContent = text;
    }

    function noteEl(note) {
      var li = el('li', 'live-note live-note-' + note.kind);
      li.id = 'note-' + note.id;
      li.setAttribute('data-testid', 'live-note');
      li.setAttribute('data-seq', String(note.seq));
      var meta = el('p', 'live-note-meta');
      meta.appendChild(el('span', 'live-time', note.timeCode));
      meta.appendChild(el('span', 'tag', TEXT[note.kind]));
      if (note.criterion) meta.appendChild(el('span', 'tag', note.criterion.title));
      (note.tags || []).forEach(function (t) { meta.appendChild(el('span', 'tag', t)); });
      var st = el('span', 'status live-state live-state-' + note.state, note.stateLabel);
      st.setAttribute('data-testid', 'note-state');
      meta.appendChild(st);
      li.appendChild(meta);
      li.appendChild(el('p', 'live-note-body', note.body));
      li.appendChild(el('p', 'hint', note.author.name + ' · note ' + note.seq));
      return li;
    }

    function pendingEl(item) {
      var li = el('li', 'live-note live-note-pending live-note-' + item.kind);
      li.id = 'pending-' + item.clientId;
      var meta = el('p', 'live-note-meta');
      meta.appendChild(el('span', 'live-time', timeCode(item.atOffsetMs)));
      meta.appendChild(el('span', 'tag', TEXT[item.kind]));
      var st = el('span', 'status live-state live-state-pending', 'Waiting to send');
      st.setAttribute('data-testid', 'note-state');
      meta.appendChild(st);
      li.appendChild(meta);
      li.appendChild(el('p', 'live-note-body', item.body));
      return li;
    }

    function removeEmpty() {
      var empty = document.getElementById('no-notes');
      if (empty) empty.remove();
    }

    function render(note) {
      var placeholder = note.clientId && document.getElementById('pending-' + note.clientId);
      if (placeholder) placeholder.remove();
      if (document.getElementById('note-' + note.id)) return;
      removeEmpty();
      list.insertBefore(noteEl(note), list.firstChild);
      refreshHeld();
    }

    function refreshHeld() {
      if (!heldEl) return;
      var held = list.querySelectorAll('.live-note:not(.live-note-pending) .live-state-held').length;
      heldEl.textContent = plural(held, 'note', 'notes') + ' held in quiet mode';
    }

    function setState(s) {
      var li = list.querySelector('[data-seq="' + s.seq + '"]:not(.live-note-pending)');
      var st = li && li.querySelector('[data-testid="note-state"]');
      if (st) { st.className = 'status live-state live-state-' + s.state; st.textContent = s.stateLabel; }
      refreshHeld();
    }

    // Notes are applied strictly in seq order, once each; a gap waits briefly, then asks the server to fill it.
    function accept(note) {
      if (note.seq <= lastSeq) {
        var ph = note.clientId && document.getElementById('pending-' + note.clientId);
        if (ph) ph.remove();
        setState(note);
        return;
      }
      pending[note.seq] = note;
      while (pending[lastSeq + 1]) {
        var next = pending[lastSeq + 1];
        delete pending[lastSeq + 1];
        render(next);
        lastSeq = next.seq;
      }
      clearTimeout(gapTimer);
      if (Object.keys(pending).length) gapTimer = setTimeout(join, 1000);
    }

    function updateRoom(room, held) {
      if (typeof held === 'number') refreshHeld();
      var toggle = document.querySelector('[data-testid="quiet-toggle"]');
      if (toggle && room) {
        toggle.setAttribute('aria-pressed', room.quietMode ? 'true' : 'false');
        var quietState = document.getElementById('quiet-state');
        if (quietState) quietState.textContent = room.quietMode ? 'On: notes are held until you end the segment or the candidate is done.' : 'Off: notes go to the candidate straight away.';
        var input = toggle.form.querySelector('input[name="quietMode"]');
        if (input) input.value = room.quietMode ? 'off' : 'on';
      }
      if (room && room.endedAt && form) { form.remove(); form = null; }
    }

    function join() {
      if (!socket.connected) return;
      socket.emit('live:join', { roomId: roomId, afterSeq: lastSeq }, function (res) {
        if (res && res.error) { fatal = res.error.message; setStatus(); return; }
        res.notes.forEach(accept);
        (res.states || []).forEach(setState);
        updateRoom(res.room, res.held);
        if (res.hasMore) join();
      });
    }

    // A note the form made is at most 1,000 characters; one this large was not typed here (an edited device store)
    // and would be refused or dropped by the server on every try, so it is never sent.
    var MAX_NOTE_CHARS = 16 * 1024;
    // A server fault is retried, but not for ever: after this many the note is set aside so the rest can go.
    var MAX_FAULTS = 5;
    var faults = {};
    // Takes a note out of the outbox for good, keeping its text on the page with the reason.
    function setAside(item, reason) {
      saveOutbox(outbox().filter(function (x) { return x.clientId !== item.clientId; }));
      var ph = document.getElementById('pending-' + item.clientId);
      if (ph) { var s = ph.querySelector('[data-testid="note-state"]'); s.textContent = 'Not sent: ' + reason; }
    }

    function flush() {
      setStatus();
      var items = outbox();
      outboxEl.textContent = items.length ? plural(items.length, 'note is', 'notes are') + ' waiting to send. They are kept on this device until the server confirms them.' : '';
      if (sending || !items.length || !socket.connected) return;
      var item = items[0];
      if (JSON.stringify(item).length > MAX_NOTE_CHARS) { setAside(item, 'this note is too large to send. Keep it shorter than 1,000 characters.'); flush(); return; }
      sending = true;
      socket.timeout(10000).emit('live:note', item, function (err, res) {
        sending = false;
        if (err) { setTimeout(flush, 2000); return; }
        if (res && res.error) {
          var fault = res.error.code === 'internal';
          if (fault) faults[item.clientId] = (faults[item.clientId] || 0) + 1;
          if (res.error.code === 'rate_limited' || (fault && faults[item.clientId] < MAX_FAULTS)) {
            outboxEl.textContent = res.error.message;
            setTimeout(flush, res.error.retryAfterMs || 3000);
            return;
          }
          // The server refused this note for good (e.g. too long, session ended), or kept failing: say so and keep the
          // text visible, then carry on with the rest.
          setAside(item, fault ? 'the server could not take this note after ' + MAX_FAULTS + ' tries. Copy its text and send it again.' : res.error.message);
        } else {
          saveOutbox(outbox().filter(function (x) { return x.clientId !== item.clientId; }));
          var placeholder = document.getElementById('pending-' + item.clientId);
          if (placeholder && res.seq <= lastSeq) placeholder.remove();
          else if (placeholder) placeholder.setAttribute('data-seq', String(res.seq));
        }
        flush();
      });
    }

    socket.on('connect', function () { fatal = null; join(); flush(); });
    socket.on('disconnect', setStatus);
    socket.on('connect_error', function (err) {
      if (err && err.message === 'unauthorized') { fatal = 'Your login has ended — log in again to keep sending notes. Unsent notes stay on this device.'; socket.disconnect(); }
      setStatus();
    });
    socket.io.on('reconnect_attempt', setStatus);
    window.addEventListener('online', function () { setStatus(); if (!socket.connected) socket.connect(); });
    window.addEventListener('offline', setStatus);
    socket.on('live:note', function (m) { if (m.roomId === roomId) accept(m.note); });
    socket.on('live:status', function (m) { if (m.roomId === roomId) m.notes.forEach(setState); });
    socket.on('live:room', function (m) { if (m.roomId === roomId) updateRoom(m.room, m.held); });

    // Quick tags become toggle buttons (aria-pressed) mirroring the checkboxes the plain form posts.
    if (form) {
      var fieldset = form.querySelector('.live-tags');
      var buttons = el('div', 'live-tag-buttons');
      fieldset.querySelectorAll('label.live-tag').forEach(function (label) {
        var box = label.querySelector('input');
        var b = el('button', 'live-tag-button', label.textContent.trim());
        b.type = 'button';
        b.setAttribute('aria-pressed', box.checked ? 'true' : 'false');
        b.setAttribute('data-tag', box.value);
        b.setAttribute('data-testid', 'tag-' + box.value);
        b.addEventListener('click', function () {
          box.checked = !box.checked;
          b.setAttribute('aria-pressed', box.checked ? 'true' : 'false');
        });
        label.hidden = true;
        buttons.appendChild(b);
      });
      fieldset.appendChild(buttons);

      form.addEventListener('submit', function (e) {
        e.preventDefault();
        var body = form.querySelector('[name="body"]').value.trim();
        if (!body) { form.querySelector('[name="body"]').focus(); return; }
        var kind = form.querySelector('[name="kind"]:checked');
        var criterion = form.querySelector('[name="criterionId"]');
        var item = {
          roomId: roomId,
          clientId: crypto.randomUUID(),
          body: body.slice(0, 1000),
          kind: kind ? kind.value : 'strength',
          criterionId: criterion && criterion.value ? criterion.value : null,
          tags: Array.prototype.map.call(form.querySelectorAll('[name="tags"]:checked'), function (b) { return b.value; }),
          atOffsetMs: Math.max(0, Date.now() - startedAt),
        };
        var items = outbox();
        items.push(item);
        saveOutbox(items);
        removeEmpty();
        list.insertBefore(pendingEl(item), list.firstChild);
        form.querySelector('[name="body"]').value = '';
        form.querySelectorAll('[name="tags"]').forEach(function (b) { b.checked = false; });
        buttons.querySelectorAll('button').forEach(function (b) { b.setAttribute('aria-pressed', 'false'); });
        form.querySelector('[name="body"]').focus();
        flush();
      });

      var clock = document.getElementById('live-clock');
      setInterval(function () { if (clock) clock.textContent = timeCode(Date.now() - startedAt); }, 1000);
    }

    // Release and quiet mode go over the socket when connected; otherwise the forms post as usual.
    function viaSocket(id, event, payload) {
      var f = document.getElementById(id);
      if (!f) return;
      f.addEventListener('submit', function (e) {
        if (!socket.connected) return;
        e.preventDefault();
        socket.emit(event, payload(f), function (res) {
          if (res && res.error) outboxEl.textContent = res.error.message;
          else if (res && typeof res.released === 'number') outboxEl.textContent = res.released ? plural(res.released, 'note', 'notes') + ' released.' : 'No notes were held.';
        });
      });
    }
    viaSocket('release-form', 'live:release', function () { return { roomId: roomId }; });
    viaSocket('quiet-form', 'live:quiet', function (f) { return { roomId: roomId, quietMode: f.querySelector('input[name="quietMode"]').value === 'on' }; });

    outbox().forEach(function (item) { removeEmpty(); list.insertBefore(pendingEl(item), list.firstChild); });
    setStatus();
  });
})();
