/* global URLSearchParams, DOMParser */
// Programme editor, progressive enhancement: (1) a stage's gate form previews the candidate's sentences as the admin
// types — the server's own Preview (the same sentence function the gate uses) fetched and swapped in; (2) stages are
// reordered by dragging their handle, saved in one request (the Move up/down buttons stay the keyboard way).
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('form[data-gate-form]').forEach(function (form) {
      var timer = null;
      var seq = 0;
      function refresh() {
        var mine = ++seq;
        var body = new URLSearchParams(new FormData(form));
        body.set('intent', 'preview');
        fetch(form.action.split('#')[0], { method: 'POST', body: body, credentials: 'same-origin', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
          .then(function (res) { return res.text(); })
          .then(function (html) {
            if (mine !== seq) return;
            var doc = new DOMParser().parseFromString(html, 'text/html');
            var preview = form.querySelector('[data-preview]');
            var fresh = preview && doc.querySelector('[data-preview="' + preview.getAttribute('data-preview') + '"]');
            if (!fresh) return;
            preview.innerHTML = fresh.innerHTML;
            var now = form.querySelectorAll('[data-testid="requirement-sentence"]');
            var then = fresh.closest('form').querySelectorAll('[data-testid="requirement-sentence"]');
            now.forEach(function (p, i) { if (then[i]) { p.textContent = then[i].textContent; p.className = then[i].className; } });
          })
          .catch(function () { /* the Preview button still works */ });
      }
      form.addEventListener('input', function (e) {
        if (e.target.closest('.advanced')) return;
        clearTimeout(timer);
        timer = setTimeout(refresh, 300);
      });
      form.addEventListener('change', function (e) {
        if (e.target.closest('.advanced')) return;
        clearTimeout(timer);
        timer = setTimeout(refresh, 100);
      });
    });

    var list = document.querySelector('[data-order-list]');
    var orderForm = document.getElementById('order-form');
    if (!list || !orderForm) return;
    var dragged = null;
    list.classList.add('can-drag');
    list.querySelectorAll('[data-index]').forEach(function (li) {
      var handle = li.querySelector('.drag-handle');
      if (!handle) return;
      handle.draggable = true;
      handle.addEventListener('dragstart', function (e) {
        dragged = li;
        li.classList.add('dragging');
        e.dataTransfer.effectAllowed = 'move';
        e.dataTransfer.setData('text/plain', li.getAttribute('data-index'));
        if (e.dataTransfer.setDragImage) e.dataTransfer.setDragImage(li, 10, 10);
      });
      handle.addEventListener('dragend', function () { li.classList.remove('dragging'); });
    });
    // Over the list (including the moved stage itself), the stage under the pointer decides where the dragged one goes.
    list.addEventListener('dragover', function (e) {
      if (!dragged) return;
      e.preventDefault();
      var li = e.target.closest && e.target.closest('[data-index]');
      if (!li || li === dragged || li.parentNode !== list) return;
      var box = li.getBoundingClientRect();
      list.insertBefore(dragged, e.clientY < box.top + box.height / 2 ? li : li.nextSibling);
    });
    list.addEventListener('drop', function (e) {
      if (!dragged) return;
      e.preventDefault();
      var order = Array.prototype.map.call(list.querySelectorAll(':scope > [data-index]'), function (x) { return Number(x.getAttribute('data-index')) + 1; });
      dragged = null;
      var unchanged = order.every(function (n, i) { return n === i + 1; });
      if (unchanged) return;
      orderForm.querySelector('[name="order"]').value = order.join(',');
      orderForm.submit();
    });
  });
})();
