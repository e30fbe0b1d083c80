/* A collection's curation under htmx: after the items' list is swapped (a resource added,
   moved, removed, a note saved), focus goes where the server says (data-focus: the moved
   resource's button, the saved note, the list's heading), so that keyboard and screen
   reader users keep their place; the message in the list is then read out. A button at
   an end of the list is aria-disabled: it stays focusable, and pressing it does nothing
   here (without JavaScript the server answers that the resource is already there). */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("#collection-items button[aria-disabled=true]");
    if (button) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("htmx:afterSettle", function () {
    var list = document.getElementById("collection-items");
    if (!list || !list.dataset.focus) {
      return;
    }
    var target = document.getElementById(list.dataset.focus);
    delete list.dataset.focus;
    if (target) {
      target.focus();
    }
  });
})();
