// Cadre progressive enhancement: everything works without this file; with it, forms confirm and errors get focus.
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var summary = document.querySelector('.error-summary');
    if (summary) summary.focus();
    // The provider's logo is read from the file store: if that fails, show the name alone, not a broken image.
    document.querySelectorAll('img.brand-logo').forEach(function (img) {
      if (img.complete && img.naturalWidth === 0) img.hidden = true;
      else img.addEventListener('error', function () { img.hidden = true; });
    });
    document.querySelectorAll('form[data-confirm]').forEach(function (form) {
      form.addEventListener('submit', function (e) {
        if (!window.confirm(form.getAttribute('data-confirm'))) e.preventDefault();
      });
    });
  });
})();
