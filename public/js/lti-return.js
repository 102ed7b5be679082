// Cadre deep linking: send the signed response back to the LMS straight away (without this script, the button does).
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var form = document.querySelector('form[data-lti-return]');
    if (form) form.submit();
  });
})();
