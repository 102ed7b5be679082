// Cadre uploads: every multipart form with a chosen file is sent with XHR so the person sees real progress —
// percentage, time left and a Cancel button — while the page stays usable. A refusal is shown as the server's own
// sentence, linked to its field, and the form keeps what was typed (and the chosen file). Without this script the
// form posts as usual. Opt a form out with data-upload="off".
(function () {
  'use strict';

  var seq = 0;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function bytes(n) {
    if (n >= 1e9) return (n / 1e9).toFixed(1) + ' GB';
    if (n >= 1e6) return (n / 1e6).toFixed(1) + ' MB';
    return Math.max(1, Math.round(n / 1e3)) + ' KB';
  }

  function timeLeft(seconds) {
    if (!isFinite(seconds)) return 'working out the time left';
    if (seconds < 10) return 'a few seconds left';
    if (seconds < 60) return 'about ' + Math.ceil(seconds / 10) * 10 + ' seconds left';
    var m = Math.round(seconds / 60);
    if (m < 60) return 'about ' + m + (m === 1 ? ' minute' : ' minutes') + ' left';
    var h = Math.floor(m / 60);
    var rest = m % 60;
    return 'about ' + h + (h === 1 ? ' hour' : ' hours') + (rest ? ' ' + rest + ' min' : '') + ' left';
  }

  function chosenFiles(form) {
    var out = [];
    form.querySelectorAll('input[type=file]').forEach(function (input) {
      for (var i = 0; i < input.files.length; i++) out.push(input.files[i]);
    });
    return out;
  }

  // The refusal's sentences and the fields they name, from a JSON error or a re-rendered page.
  function refusal(xhr) {
    var type = xhr.getResponseHeader('content-type') || '';
    var fallback = 'The upload was refused (error ' + xhr.status + '). Check the file and try again.';
    if (type.indexOf('application/json') !== -1) {
      try {
        var body = JSON.parse(xhr.responseText);
        var fields = (body.error && body.error.fields) || [];
        return {
          lead: fields.length ? '' : (body.error && body.error.message) || fallback,
          items: fields.map(function (f) { return { field: f.field, text: f.message }; }),
        };
      } catch { return { lead: fallback, items: [] }; }
    }
    var doc = new window.DOMParser().parseFromString(xhr.responseText, 'text/html');
    var summary = doc.querySelector('.error-summary');
    if (summary) {
      var lead = summary.querySelector('p');
      return {
        lead: lead ? lead.textContent.trim() : '',
        items: Array.prototype.map.call(summary.querySelectorAll('li a'), function (a) {
          return { field: (a.getAttribute('href') || '').replace(/^#(field-)?/, ''), id: (a.getAttribute('href') || '').slice(1), text: a.textContent.trim() };
        }),
      };
    }
    // The error page: its sentence, and each field's problem (the field itself is not named in the page).
    var page = doc.querySelector('main .lead');
    var items = Array.prototype.map.call(doc.querySelectorAll('main .narrow li'), function (li) { return { field: '', text: li.textContent.trim() }; }).filter(function (i) { return i.text; });
    return { lead: page ? page.textContent.trim() : items.length ? '' : fallback, items: items };
  }

  function setup(form) {
    var id = 'upload-' + ++seq;
    var submit = form.querySelector('button[type=submit], button:not([type]), input[type=submit]');
    var box = el('div', { class: 'upload-progress', 'data-testid': 'upload-progress', hidden: '' });
    var label = el('p', { class: 'upload-label', id: id + '-label' });
    var bar = el('progress', { max: '100', value: '0', 'aria-labelledby': id + '-label' });
    var detail = el('p', { class: 'hint', 'data-testid': 'upload-detail' });
    var cancel = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'upload-cancel' }, 'Cancel upload');
    // Announced at the start, every quarter, and at the end — not at every progress event.
    var said = el('p', { class: 'visually-hidden', 'aria-live': 'polite', 'data-testid': 'upload-announce' });
    box.appendChild(label);
    box.appendChild(bar);
    box.appendChild(detail);
    box.appendChild(cancel);
    var outcome = el('div', { 'data-testid': 'upload-outcome', tabindex: '-1' });
    if (submit && submit.parentNode === form) { form.insertBefore(box, submit); form.insertBefore(outcome, submit); } else { form.appendChild(box); form.appendChild(outcome); }
    form.appendChild(said);
    var xhr = null;

    function clearErrors() {
      outcome.textContent = '';
      outcome.className = '';
      form.querySelectorAll('[data-upload-error]').forEach(function (p) {
        var input = document.getElementById(p.getAttribute('data-for'));
        if (input) {
          input.removeAttribute('aria-invalid');
          input.setAttribute('aria-describedby', (input.getAttribute('aria-describedby') || '').replace(p.id, '').trim());
        }
        p.remove();
      });
    }

    function finish() {
      box.hidden = true;
      xhr = null;
      if (submit) submit.disabled = false;
    }

    function inputFor(item) {
      var byId = item.id ? form.querySelector('[id="' + item.id + '"]') : null;
      // A summary may link to the field's wrapper: the control inside it is what gets the message.
      if (byId && !/^(INPUT|SELECT|TEXTAREA)$/.test(byId.tagName)) byId = byId.querySelector('input, select, textarea');
      if (byId) return byId;
      var byName = item.field ? form.querySelector('[name="' + item.field + '"]') : null;
      return byName || form.querySelector('input[type=file]');
    }

    function fail(lead, items) {
      finish();
      outcome.className = 'error-summary';
      outcome.setAttribute('role', 'alert');
      outcome.appendChild(el('h2', {}, 'The upload did not go through'));
      if (lead) outcome.appendChild(el('p', {}, lead));
      var ul = el('ul');
      items.forEach(function (item, i) {
        var input = inputFor(item);
        var li = el('li');
        if (input && input.id) {
          li.appendChild(el('a', { href: '#' + input.id }, item.text));
          var note = el('p', { class: 'field-error', id: id + '-error-' + i, 'data-upload-error': '', 'data-for': input.id }, item.text);
          input.insertAdjacentElement('afterend', note);
          input.setAttribute('aria-invalid', 'true');
          input.setAttribute('aria-describedby', ((input.getAttribute('aria-describedby') || '') + ' ' + note.id).trim());
        } else li.textContent = item.text;
        ul.appendChild(li);
      });
      if (items.length) outcome.appendChild(ul);
      outcome.focus();
    }

    cancel.addEventListener('click', function () {
      if (!xhr) return;
      var stopped = xhr;
      xhr = null;
      stopped.abort();
      finish();
      outcome.className = 'notice';
      outcome.setAttribute('role', 'status');
      outcome.textContent = 'Upload cancelled. Nothing was saved; your file is still chosen, so you can send it again when you are ready.';
      outcome.focus();
    });

    form.addEventListener('submit', function (event) {
      var files = chosenFiles(form);
      if (!files.length || xhr || typeof FormData === 'undefined') return;
      event.preventDefault();
      clearErrors();
      var total = files.reduce(function (s, f) { return s + f.size; }, 0);
      var name = files.length === 1 ? '“' + files[0].name + '”' : files.length + ' files';
      var started = Date.now();
      var quarter = -1;
      label.textContent = 'Uploading ' + name + ' (' + bytes(total) + ')';
      bar.value = 0;
      detail.textContent = '0% · working out the time left';
      said.textContent = 'Uploading ' + name + '. You can keep using this page; please keep it open.';
      box.hidden = false;
      if (submit) submit.disabled = true;

      var req = new window.XMLHttpRequest();
      xhr = req;
      req.open('POST', form.action);
      var token = document.querySelector('meta[name="csrf-token"]');
      if (token) req.setRequestHeader('x-csrf-token', token.getAttribute('content'));
      // The same answers as without this script: pages, a redirect on success, a re-rendered form on a refusal.
      req.setRequestHeader('Accept', 'text/html');
      req.upload.addEventListener('progress', function (e) {
        if (!e.lengthComputable || xhr !== req) return;
        var pct = Math.min(100, Math.floor((e.loaded / e.total) * 100));
        var seconds = (Date.now() - started) / 1000;
        var rate = seconds > 0.5 ? e.loaded / seconds : 0;
        bar.value = pct;
        detail.textContent = pct + '% · ' + bytes(e.loaded) + ' of ' + bytes(e.total) + ' · ' + (pct >= 100 ? 'checking the file…' : timeLeft(rate ? (e.total - e.loaded) / rate : Infinity));
        if (Math.floor(pct / 25) > quarter) {
          quarter = Math.floor(pct / 25);
          said.textContent = pct >= 100 ? 'Uploaded; checking the file.' : pct + '% uploaded.';
        }
      });
      req.addEventListener('load', function () {
        if (xhr !== req) return;
        if (req.status < 400) {
          detail.textContent = 'Uploaded. Opening the result…';
          var landed = req.responseURL || form.action;
          // A redirect (303) lands on the result page; an answer at the form's own address is shown as it came.
          if (landed !== form.action && (req.getResponseHeader('content-type') || '').indexOf('text/html') !== -1) { window.location.assign(landed); return; }
          if ((req.getResponseHeader('content-type') || '').indexOf('text/html') !== -1) { document.open(); document.write(req.responseText); document.close(); return; }
          window.location.reload();
          return;
        }
        var r = refusal(req);
        fail(r.lead, r.items);
      });
      req.addEventListener('error', function () {
        if (xhr !== req) return;
        fail('The upload stopped because the connection was lost. Your file is still chosen: check your connection and send it again.', []);
      });
      req.send(new FormData(form));
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('form[enctype="multipart/form-data"]').forEach(function (form) {
      if (form.getAttribute('data-upload') !== 'off') setup(form);
    });
  });
})();
