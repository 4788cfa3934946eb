// Move focus to the error summary so screen readers announce it (GOV.UK pattern).
// A file, not inline script, so the Content Security Policy needs no exception.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();
