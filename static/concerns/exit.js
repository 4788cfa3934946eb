/* "Leave this page quickly": the link works without JavaScript; this makes it
   faster and keeps the report page out of the Back button's history. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.exit-page") : null;
    if (!link) {
      return;
    }
    event.preventDefault();
    document.documentElement.classList.add("exiting");
    try {
      window.history.replaceState(null, "", "/");
    } catch (e) {
      /* Some browsers refuse; leaving still works. */
    }
    window.location.replace(link.href);
  });
})();
