/* The app's few behaviours on a phone: the list's search and filters folded behind one
   tab. */
(function () {
  "use strict";
  document.querySelectorAll(".list-tools-toggle button").forEach(function (button) {
    button.addEventListener("click", function () {
      var menu = button.closest(".list-menu");
      var open = menu.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });

})();
