/* Search page: results as you type from /api/search. Server text is only ever set as text. */
(function () {
  "use strict";
  function init() {
    var root = document.getElementById("hub-search");
    if (!root || root.dataset.ready) return;
    root.dataset.ready = "1";
    var api = root.dataset.api || "/api/search";
    var form = document.getElementById("hub-search-form");
    var input = document.getElementById("hub-search-input");
    var status = document.getElementById("hub-search-status");
    var list = document.getElementById("hub-search-results");
    var selects = root.querySelectorAll("select");
    var timer = null;
    var seq = 0;
    var suggestions = ["what happens if targets are missed", "SIBs for rough sleepers",
      "who pays the investors back", "did Peterborough reduce reoffending"];

    function setStatus(text) { status.textContent = text; }

    function marked(text, ranges) {
      var frag = document.createDocumentFragment();
      var pos = 0;
      (ranges || []).forEach(function (r) {
        if (r[0] < pos) return;
        frag.appendChild(document.createTextNode(text.slice(pos, r[0])));
        var m = document.createElement("mark");
        m.textContent = text.slice(r[0], r[1]);
        frag.appendChild(m);
        pos = r[1];
      });
      frag.appendChild(document.createTextNode(text.slice(pos)));
      return frag;
    }

    function safeHref(url) {
      // Only the hub's own pages: a path on this site, never another scheme or host.
      return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : "#";
    }

    function showEmpty(query) {
      list.textContent = "";
      setStatus("No results for \u201c" + query + "\u201d. Try fewer or other words, for example:");
      suggestions.forEach(function (s) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.className = "md-button hub-suggestion";
        b.textContent = s;
        b.addEventListener("click", function () { input.value = s; run(); input.focus(); });
        li.appendChild(b);
        list.appendChild(li);
      });
    }

    function render(data) {
      list.textContent = "";
      if (!data.results.length) { showEmpty(data.query); return; }
      // In degraded mode the API says why results match words only; pass that on.
      var notice = data.degraded && data.notice ? " " + data.notice : "";
      setStatus(data.results.length + " results for \u201c" + data.query + "\u201d." + notice);
      data.results.forEach(function (r) {
        var li = document.createElement("li");
        li.className = "hub-result";
        var a = document.createElement("a");
        a.href = safeHref(r.url);
        a.className = "hub-result-link";
        a.textContent = r.title;
        var section = document.createElement("span");
        section.className = "hub-result-section";
        section.textContent = r.section !== r.title ? " \u203a " + r.section : "";
        var p = document.createElement("p");
        p.className = "hub-result-snippet";
        p.appendChild(marked(r.snippet, r.highlights));
        var h = document.createElement("h3");
        h.appendChild(a);
        h.appendChild(section);
        li.appendChild(h);
        li.appendChild(p);
        list.appendChild(li);
      });
    }

    function run() {
      var q = input.value.trim();
      if (!q) { list.textContent = ""; setStatus(""); return; }
      var params = new URLSearchParams({ q: q.slice(0, 500), k: "10" });
      selects.forEach(function (s) { if (s.value) params.set(s.name, s.value); });
      var mine = ++seq;
      // Keep the address shareable: it holds the query, so a reader can copy or bookmark it.
      if (window.history && window.history.replaceState) {
        var here = new URL(window.location.href);
        here.searchParams.set("query", q.slice(0, 500));
        window.history.replaceState(window.history.state, "", here.toString());
      }
      setStatus("Searching\u2026");
      fetch(api + "?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (resp) {
          return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
        })
        .then(function (res) {
          if (mine !== seq) return;
          if (!res.ok) { list.textContent = ""; setStatus(res.body.error ? res.body.error.message : "Search failed."); return; }
          render(res.body);
        })
        .catch(function () {
          if (mine !== seq) return;
          list.textContent = "";
          setStatus("Search by meaning is not available here (the hub's API cannot be reached). " +
            "Use the search box at the top of the page instead: it matches keywords.");
          root.classList.add("hub-search-offline");
        });
    }

    function fillFilters() {
      fetch(api + "/filters").then(function (r) { return r.ok ? r.json() : null; }).then(function (body) {
        if (!body) return;
        selects.forEach(function (s) {
          (body.filters[s.name] || []).forEach(function (v) {
            var o = document.createElement("option");
            o.value = v;
            o.textContent = v;
            s.appendChild(o);
          });
        });
      }).catch(function () {
        setStatus("Search by meaning is not available here (the hub's API cannot be reached). " +
          "Use the search box at the top of the page instead: it matches keywords.");
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 250);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { clearTimeout(timer); run(); }
      if (e.key === "ArrowDown") {
        var first = list.querySelector("a, button");
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
    list.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
      var items = Array.prototype.slice.call(list.querySelectorAll("a, button"));
      var i = items.indexOf(document.activeElement);
      if (i < 0) return;
      e.preventDefault();
      if (e.key === "ArrowDown" && i < items.length - 1) items[i + 1].focus();
      if (e.key === "ArrowUp") (i > 0 ? items[i - 1] : input).focus();
    });
    selects.forEach(function (s) { s.addEventListener("change", run); });
    // Results come in place (Enter runs the search above): the form never reloads the page.
    // This was an inline onsubmit; the Content-Security-Policy forbids inline handlers.
    if (form) form.addEventListener("submit", function (e) { e.preventDefault(); });
    // "query", not "q": Material opens its own search dialog when a page has ?q= in its address.
    var initial = new URLSearchParams(window.location.search).get("query");
    if (initial) { input.value = initial; }
    fillFilters();
    if (initial) run();
  }
  if (window.document$) { window.document$.subscribe(init); } else { document.addEventListener("DOMContentLoaded", init); }
})();
