// The queue's bulk decisions (Accept, Reject or Retry selected): while the answer is on its
// way, the bar says in words what is being done ("Accepting 2,000 items…", announced to screen
// readers) and its buttons are disabled, so a long decision is neither left silent nor sent
// twice. "All N matching" (data-bulk-matching: N) decides every request the filters match: it
// ticks the page's rows too, and un-ticking a row clears it. Wired by data attributes (no
// inline script under the Content-Security-Policy).
(function () {
  "use strict";

  function matching(form) {
    return form.querySelector("input[type=checkbox][data-bulk-matching]");
  }

  function count(form) {
    var all = matching(form);
    if (all && all.checked) return parseInt(all.getAttribute("data-bulk-matching"), 10) || 0;
    return form.querySelectorAll("input[type=checkbox][name=ids]:checked").length;
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.form || box.type !== "checkbox") return;
    var all = matching(box.form);
    if (!all) return;
    if (box === all && all.checked) {
      box.form.querySelectorAll("input[type=checkbox][name=ids], input[data-select-all]")
        .forEach(function (b) { b.checked = true; });
    } else if (box !== all && !box.checked && (box.name === "ids" || box.hasAttribute("data-select-all"))) {
      all.checked = false;
    }
  });

  function say(form, button) {
    var selected = count(form);
    if (!selected) return false; // the server says that nothing was selected
    var status = form.querySelector("[data-bulk-progress]");
    var words = selected.toLocaleString("en-US") + (selected === 1 ? " item" : " items");
    if (status) status.textContent = button.getAttribute("data-bulk-verb") + " " + words + "…";
    form.setAttribute("aria-busy", "true");
    return true;
  }

  function buttons(form) {
    return form.querySelectorAll("button[data-bulk-verb]");
  }

  function done(form) {
    buttons(form).forEach(function (b) { b.disabled = false; });
    form.removeAttribute("aria-busy");
    var status = form.querySelector("[data-bulk-progress]");
    if (status) status.textContent = "";
  }

  // With htmx: the pressed button posts the form, and htmx disables the bar's buttons until
  // the answer comes (the form's hx-disabled-elt).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var button = event.detail && event.detail.elt;
    if (!(button instanceof Element) || !button.matches("button[data-bulk-verb]")) return;
    if (button.form) say(button.form, button);
  });
  // The answer usually replaces the whole queue (a new bar); when it does not (the network
  // failed, the server erred), the bar comes back to life.
  document.addEventListener("htmx:afterRequest", function (event) {
    var button = event.detail && event.detail.elt;
    if (!(button instanceof Element) || !button.matches("button[data-bulk-verb]")) return;
    if (button.form && document.contains(button.form)) done(button.form);
  });

  // Without htmx (a plain form post): say it and disable once the browser submits.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (!(form instanceof HTMLFormElement) || !(button instanceof Element)) return;
    if (!button.matches("button[data-bulk-verb]") || event.defaultPrevented) return;
    if (!say(form, button)) return;
    window.setTimeout(function () {
      buttons(form).forEach(function (b) { b.disabled = true; });
    }, 0);
  });
})();
