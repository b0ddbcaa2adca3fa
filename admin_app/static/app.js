/* The app's few behaviours on a phone: the list's search and filters folded behind one
   tab, and the browser's own date picker for date fields. */
(function () {
  "use strict";
  var phone = window.matchMedia("(max-width: 575.98px)").matches;

  document.querySelectorAll(".list-tools-toggle button").forEach(function (button) {
    button.addEventListener("click", function () {
      var menu = button.closest(".list-menu");
      var open = menu.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });

  // Flask-Admin's date picker writes and reads YYYY-MM-DD, as a date input does; taken off
  // before form.js (loaded after this) attaches its own picker.
  if (phone) {
    document.querySelectorAll('input[data-role="datepicker"]').forEach(function (input) {
      input.removeAttribute("data-role");
      input.type = "date";
    });
  }
})();
