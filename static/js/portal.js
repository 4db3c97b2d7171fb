// The portal's few behaviours in the browser, wired by data attributes (the
// Content-Security-Policy allows no inline script or event handler). Listeners sit on the
// document, so content htmx swaps in later works too.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;

    // The account switcher: a new account opens that account's home page.
    var switcher = target.closest("form[data-account-switcher]");
    if (switcher && target.name === "account") {
      window.location = "/a/" + encodeURIComponent(target.value) + "/";
      return;
    }

    // "Select all": ticks or clears every box named by data-select-all in the same form.
    if (target.matches("input[type=checkbox][data-select-all]") && target.form) {
      var name = target.getAttribute("data-select-all");
      target.form.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        if (box.name === name) box.checked = target.checked;
      });
      return;
    }

    // A choice that submits its form at once.
    if (target.matches("[data-autosubmit]") && target.form) {
      target.form.requestSubmit();
      return;
    }

    // A button pressed when the field it names (data-pressed-by, the field's id) changes.
    if (target.id) {
      var button = document.querySelector('[data-pressed-by="' + CSS.escape(target.id) + '"]');
      if (button) button.click();
    }
  });

  // A link that closes the dialog it is in (its href is the page for when there is none).
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var link = target.closest("[data-close-dialog]");
    if (!link) return;
    var dialog = link.closest("dialog");
    if (dialog) {
      dialog.close();
      event.preventDefault();
    }
  });

  // An open menu of the tabs (data-tab-menu) closes on a click outside it or on Escape.
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    document.querySelectorAll("details[data-tab-menu][open]").forEach(function (menu) {
      if (!target || !menu.contains(target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details[data-tab-menu][open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(document.activeElement)) summary.focus();
    });
  });

  // A dialog that htmx fills opens as a modal; the server's "erpdone" event closes it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var dialog = target.closest("dialog[data-htmx-modal]");
    if (dialog && !dialog.open) dialog.showModal();
  });
  document.addEventListener("erpdone", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var dialog = target.closest("dialog[data-htmx-modal]");
    if (dialog) dialog.close();
  });
})();
