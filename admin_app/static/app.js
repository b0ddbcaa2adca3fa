/* The app's few behaviours: the list's search and filters folded behind one tab on a phone,
   the browser's own date picker for date fields there, and every handler the pages would
   otherwise write inline (the Content-Security-Policy runs none): confirmations, bulk
   actions, "choose all" boxes, inline forms' "add" buttons, selects that submit their
   form, printing. */
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

  function confirmed(element) {
    return !element.dataset.confirm || window.confirm(element.dataset.confirm);
  }

  // Caught on the way down (capture): Bootstrap's menus stop the click before it would
  // bubble back up to the document.
  window.addEventListener("click", function (event) {
    var target = event.target.closest("a, button");
    if (!target) {
      return;
    }
    if (target.matches("button[data-confirm]") && !confirmed(target)) {
      event.preventDefault();
      event.stopPropagation();
    } else if (target.dataset.action !== undefined && window.modelActions) {
      event.preventDefault();
      window.modelActions.execute(target.dataset.action);
    } else if (target.dataset.addInline !== undefined && window.faForm) {
      event.preventDefault();
      window.faForm.addInlineField(target, target.dataset.addInline);
      if (target.dataset.addInline === "parents") {
        otherParent();
      }
    } else if (target.dataset.print !== undefined) {
      event.preventDefault();
      window.print();
    } else if ((target.getAttribute("href") || "").indexOf("javascript:") === 0) {
      event.preventDefault();  // Flask-Admin's "javascript:void(0)" links: scripts bind them
    }
  }, true);

  // A child's second parent row starts as the parent the first row is not (父亲, then
  // 母亲): one choice fewer, and still shown for the user to change.
  function otherParent() {
    var rows = Array.prototype.slice.call(
      document.querySelectorAll("select[id^='parents-'][id$='-relation']"));
    var added = rows[rows.length - 1];
    if (!added || rows.length < 2) {
      return;
    }
    var used = rows.slice(0, -1).map(function (row) { return row.value; });
    var free = Array.prototype.filter.call(added.options, function (option) {
      return option.value && used.indexOf(option.value) < 0;
    });
    if (free.length) {
      added.value = free[0].value;
    }
  }

  document.addEventListener("submit", function (event) {
    if (event.target.matches("form[data-confirm]") && !confirmed(event.target)) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-submit-on-change]") && event.target.form) {
      event.target.form.submit();
    } else if (event.target.matches("[data-check-all]")) {
      var checked = event.target.checked;
      document.querySelectorAll(event.target.dataset.checkAll).forEach(function (box) {
        box.checked = checked;
      });
    }
  });
})();
