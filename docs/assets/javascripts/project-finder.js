/* Project finder: filters and sorts the full HTML table on /projects/ (which works without this script). */
(function () {
  "use strict";

  function setup() {
    var form = document.getElementById("project-finder");
    var table = document.getElementById("project-table");
    if (!form || !table || form.dataset.ready) return;
    form.dataset.ready = "1";
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var total = rows.length;
    var status = document.getElementById("pf-status");
    var none = document.getElementById("pf-none");
    var field = function (name) { return form.elements[name]; };
    form.hidden = false;

    function yearValue(name) {
      var v = parseInt(field(name).value, 10);
      return isNaN(v) ? null : v;
    }

    // Downloads: the same filters as the table, sent to /api/projects.csv and .json under the API's names.
    var downloads = {
      api: document.getElementById("pf-download-api"),
      check: document.getElementById("pf-download-check"),
      offline: document.getElementById("pf-download-offline"),
      what: document.getElementById("pf-download-what"),
      links: [document.getElementById("pf-csv"), document.getElementById("pf-json")],
      up: false
    };
    var API_NAMES = { q: "q", country: "country", sector: "policy_sector", stage: "stage", fund: "fund",
      from: "launch_year_from", to: "launch_year_to" };

    function updateDownloads(shown) {
      if (!downloads.api || !downloads.up) return;
      var params = new URLSearchParams();
      Object.keys(API_NAMES).forEach(function (name) {
        var v = name === "from" || name === "to" ? yearValue(name) : field(name).value.trim().replace(/\s+/g, " ");
        if (v !== null && v !== "") params.set(API_NAMES[name], String(v));
      });
      // The API refuses years outside its range or in the wrong order: say so rather than link to an error.
      var from = yearValue("from"), to = yearValue("to");
      var bad = [from, to].some(function (y) { return y !== null && (y < 1990 || y > 2100); }) ||
        (from !== null && to !== null && from > to);
      downloads.api.hidden = bad;
      downloads.check.hidden = !bad;
      var query = params.toString();
      downloads.links.forEach(function (a) { a.href = a.href.split("?")[0] + (query ? "?" + query : ""); });
      downloads.what.textContent = shown === total ? "All " + total + " projects" :
        "The " + shown + (shown === 1 ? " project" : " projects") + " that match the filters";
    }

    function apply() {
      var q = field("q").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var country = field("country").value, sector = field("sector").value;
      var stage = field("stage").value, fund = field("fund").value;
      var from = yearValue("from"), to = yearValue("to");
      var shown = 0;
      rows.forEach(function (row) {
        var d = row.dataset, year = parseInt(d.year, 10);
        var ok = (!country || d.country.split(" ").indexOf(country) >= 0) &&
          (!sector || d.sector === sector) && (!stage || d.stage === stage) &&
          (!fund || d.funds.split(" ").indexOf(fund) >= 0) &&
          (from === null || (!isNaN(year) && year >= from)) &&
          (to === null || (!isNaN(year) && year <= to)) &&
          q.every(function (word) { return d.text.indexOf(word) >= 0; });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      status.textContent = shown === total
        ? "All " + total + " projects are listed."
        : shown + " of " + total + " projects match the filters.";
      if (none) none.hidden = shown !== 0;
      updateDownloads(shown);
    }

    var timer = null;
    form.addEventListener("input", function (event) {
      // Typing waits a moment so the live region is not read out on every key press.
      clearTimeout(timer);
      timer = setTimeout(apply, event.target.type === "search" ? 250 : 0);
    });
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    form.addEventListener("reset", function () { setTimeout(apply, 0); });

    // Filtered files need the API; a static copy of the hub offers only the whole data set.
    if (downloads.api) {
      fetch("/api/projects?per_page=1", { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok; }, function () { return false; })
        .then(function (up) {
          downloads.up = up;
          downloads.offline.hidden = up;
          if (up) apply(); else downloads.api.hidden = true;
        });
    }

    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    heads.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "pf-sort";
      button.innerHTML = th.innerHTML;
      th.innerHTML = "";
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () { sortBy(th, index); });
    });

    function key(row, index, kind) {
      var cell = row.cells[index];
      if (kind === "number") {
        var raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent;
        var n = parseFloat(raw);
        return isNaN(n) ? null : n;
      }
      return cell.textContent.trim().toLowerCase();
    }

    function sortBy(th, index) {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      var kind = th.dataset.sort;
      heads.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = key(a, index, kind), y = key(b, index, kind);
        // Blank values always go last, whichever the direction.
        if (x === null || x === "—") return (y === null || y === "—") ? 0 : 1;
        if (y === null || y === "—") return -1;
        var c = x < y ? -1 : x > y ? 1 : 0;
        return ascending ? c : -c;
      });
      rows.forEach(function (row) { tbody.appendChild(row); });
      status.textContent = "Sorted by " + th.textContent.trim() + ", " + (ascending ? "ascending" : "descending") + ". " +
        status.textContent.replace(/^Sorted by [^.]*\. /, "");
    }
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
