/* Evidence index: filters the full table on /evidence/ by policy area, country, design and result.
   Without this script the form stays hidden and the whole table shows. */
(function () {
  "use strict";

  function setup() {
    var form = document.getElementById("evidence-filters");
    var wrap = document.getElementById("evidence-index");
    var table = wrap ? wrap.querySelector("table") : null;
    if (!form || !table || !table.tBodies.length || form.dataset.ready) return;
    form.dataset.ready = "1";
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-column]"));
    var status = document.getElementById("ef-status");
    var none = document.getElementById("ef-none");
    var total = rows.length;
    form.hidden = false;

    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var ok = selects.every(function (select) {
          var cell = row.cells[parseInt(select.dataset.column, 10)];
          return !select.value || (cell && cell.textContent.trim() === select.value);
        });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (status) {
        status.textContent = shown === total
          ? "All " + total + " evidence summaries are listed."
          : shown + " of " + total + " evidence summaries match the filters.";
      }
      if (none) none.hidden = shown !== 0;
    }

    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
