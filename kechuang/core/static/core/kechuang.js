/* Behaviour every page shares, instead of on* attributes in the templates (the
 * Content-Security-Policy admits no inline script): a form with data-confirm="question" asks
 * before it is sent. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
})();
