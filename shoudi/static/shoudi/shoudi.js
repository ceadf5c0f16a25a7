/* Shoudi's small page behaviours, loaded by every page. The Content-Security-Policy runs no inline script and no
   on*= handler, so a template asks for a behaviour with a data attribute instead (docs/engineering.md):
     data-sd-focus            an error box brought into view and focused when the page opens
     data-sd-check-all="sel"  a checkbox that ticks or clears every checkbox matching the selector
     data-sd-submit           a select that submits its form when changed
     data-sd-print            a button that opens the print dialog
     data-sd-back             a button that goes back one page
   Listeners sit on the document, so content htmx swaps in later works too. */
(function () {
  if (window.shoudiPage) return;
  window.shoudiPage = true;

  function focusFirst() {
    var box = document.querySelector("[data-sd-focus]");
    if (!box) return;
    box.scrollIntoView({ block: "start" });  // on a phone the form is long
    box.focus({ preventScroll: true });
  }

  document.addEventListener("DOMContentLoaded", focusFirst);

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;
    var all = target.closest("[data-sd-check-all]");
    if (all) {
      document.querySelectorAll(all.dataset.sdCheckAll).forEach(function (box) { box.checked = all.checked; });
    }
    if (target.closest("[data-sd-print]")) window.print();
    if (target.closest("[data-sd-back]")) history.back();
  });
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-sd-submit]");
    if (select && select.form) select.form.submit();
  });
})();
