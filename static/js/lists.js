// Record lists filter as you choose: a select or checkbox of a form marked data-live-filters
// submits it at once, typing in its search box submits it after a short pause. The form's
// htmx attributes swap the results in place and keep the address in step (hx-push-url), so a
// filtered list can be bookmarked. No inline script: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  var PAUSE_MS = 350;
  var timers = new WeakMap();

  function liveForm(target) {
    if (!(target instanceof Element)) return null;
    return target.closest("form[data-live-filters]");
  }

  function submit(form) {
    clearTimeout(timers.get(form));
    timers.delete(form);
    form.requestSubmit();
  }

  document.addEventListener("change", function (event) {
    var form = liveForm(event.target);
    if (!form || event.target.matches("input[type=search], input[type=text]")) return;
    submit(form);
  });

  document.addEventListener("input", function (event) {
    var form = liveForm(event.target);
    if (!form || !event.target.matches("input[type=search], input[type=text]")) return;
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(function () { submit(form); }, PAUSE_MS));
  });
})();
