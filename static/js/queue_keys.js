// The approver's queue from the keyboard (templates/approvals/queue.html): j/k or the arrow
// keys move the current row, x or Space ticks it, a accepts it, r rejects it, / searches and
// ? shows the keys. Wired by data attributes: the rows are [data-queue-row], their links
// [data-queue-open], [data-queue-accept] and [data-queue-reject]; the help is
// dialog[data-queue-help] and the search box is named by data-queue-search on [data-queue-keys].
(function () {
  "use strict";

  var current = null; // the current row's id, kept across htmx swaps of the queue
  var position = -1; // its place, for when a decision takes it out of the queue

  function root() {
    return document.querySelector("[data-queue-keys]");
  }
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-queue-row]"));
  }
  function typing(target) {
    return target instanceof Element && !!target.closest("input, textarea, select, [contenteditable]");
  }
  function openDialog() {
    return document.querySelector("dialog[open]");
  }

  function mark(row, focus) {
    rows().forEach(function (other) {
      other.removeAttribute("aria-current");
    });
    if (!row) {
      current = null;
      return;
    }
    current = row.id;
    position = rows().indexOf(row);
    row.setAttribute("aria-current", "true");
    var link = row.querySelector("[data-queue-open]");
    if (focus && link) link.focus({ preventScroll: true });
    if (focus) row.scrollIntoView({ block: "nearest" });
  }

  function currentRow() {
    return current ? document.getElementById(current) : null;
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(currentRow());
    if (index < 0 && current !== null && position >= 0) {
      // The current row was just decided and the queue swapped before htmx settled: move
      // from the row that took its place, as the settled queue will show it.
      index = Math.min(position, all.length - 1);
    }
    index = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(index + step, 0), all.length - 1);
    mark(all[index], true);
  }

  function press(selector) {
    var row = currentRow();
    var link = row && row.querySelector(selector);
    if (!link) return;
    // A row htmx has just swapped in may not be processed yet: without it, the click would
    // follow the link to its page instead of opening the dialog (processing twice is harmless).
    if (window.htmx) window.htmx.process(link);
    link.click();
  }

  // After htmx swaps the queue, the same row stays current when it is still there; when a
  // decision took it out, the row that took its place is current. Done once htmx has settled:
  // settling puts back the new rows' own class attributes, which would drop the marker.
  document.addEventListener("htmx:afterSettle", function () {
    if (current === null) return;
    var row = currentRow();
    if (row) {
      mark(row, false);
      return;
    }
    var all = rows();
    mark(all.length ? all[Math.min(position, all.length - 1)] : null, !openDialog());
  });

  // Focus the reject dialog's reason as soon as it is shown.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.target;
    if (!(target instanceof Element) || !root()) return;
    var dialog = target.closest("dialog[data-htmx-modal]");
    if (!dialog) return;
    var reason = dialog.querySelector("textarea[name=reason], input[name=reason]");
    if (reason) reason.focus();
  });

  // Clicking a row's link makes that row current.
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (!(target instanceof Element) || !root()) return;
    var row = target.closest("tr[data-queue-row]");
    if (row && row.id !== current) mark(row, false);
  });

  document.addEventListener("keydown", function (event) {
    var page = root();
    if (!page || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;

    // In the reject dialog's reason, Enter sends the form (Shift+Enter starts a new line).
    if (event.key === "Enter" && !event.shiftKey && target instanceof HTMLTextAreaElement &&
        target.name === "reason" && target.closest("dialog[open]") && target.form) {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (openDialog() || typing(target) || event.isComposing) return;

    switch (event.key) {
      case "j":
      case "ArrowDown":
        move(1);
        break;
      case "k":
      case "ArrowUp":
        move(-1);
        break;
      case "x":
      case " ": {
        if (event.key === " " && target instanceof Element &&
            target.closest("button, summary, a:not([data-queue-open])")) return;
        var row = currentRow();
        var box = row && row.querySelector("input[type=checkbox]");
        if (!box) return;
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
        break;
      }
      case "a":
        press("[data-queue-accept]");
        break;
      case "r":
        press("[data-queue-reject]");
        break;
      case "/": {
        var search = document.getElementById(page.getAttribute("data-queue-search") || "");
        if (!search) return;
        search.focus();
        if (search.select) search.select();
        break;
      }
      case "?": {
        var help = document.querySelector("dialog[data-queue-help]");
        if (help) help.showModal();
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  });
})();
