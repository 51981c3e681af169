/* The search box at the top of every page: the hub's hybrid search (meaning and keywords) from
   /api/search as the reader types. Results go into Material's own result list, so its keyboard
   paths work unchanged: arrows move through results, Enter opens the first, Escape closes.
   Without the API (a static host, or the API down) the box falls back to Material's keyword
   search: search-on-demand.js then releases Material's index, and Material searches the words
   already typed. Server text is only ever set as text. */
(function () {
  "use strict";
  var API = "/api/search";
  var SEARCH_PAGE = "/tools/search/";
  var K = 8;
  var WAIT_MS = 200;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function safeHref(url) {
    // Only the hub's own pages: a path on this site, never another scheme or host.
    return typeof url === "string" && /^\/(?![\/\\])/.test(url) ? url : "#";
  }

  function marked(text, ranges) {
    var frag = document.createDocumentFragment();
    var pos = 0;
    (ranges || []).forEach(function (r) {
      if (r[0] < pos) return;
      frag.appendChild(document.createTextNode(text.slice(pos, r[0])));
      frag.appendChild(el("mark", "", text.slice(r[0], r[1])));
      pos = r[1];
    });
    frag.appendChild(document.createTextNode(text.slice(pos)));
    return frag;
  }

  function init() {
    var input = document.querySelector("[data-md-component=search-query]");
    var result = document.querySelector("[data-md-component=search-result]");
    var hold = window.hubSearchIndex;
    if (!input || !result || input.dataset.hubReady) return;
    input.dataset.hubReady = "1";
    // No hold means Material's index is loading already (a page opened from one of its results):
    // then Material searches, as it would anyway, and two lists never fight over one box.
    if (!hold || hold.released()) return;
    hold.defer();
    var meta = result.querySelector(".md-search-result__meta");
    var list = result.querySelector(".md-search-result__list");
    var mode = "api";
    var timer = null;
    var seq = 0;
    var last = null;
    meta.setAttribute("aria-live", "polite");

    function fallBack() {
      if (mode !== "api") return;
      mode = "material";
      list.textContent = "";
      meta.textContent = "Initializing search";
      document.documentElement.classList.remove("hub-header-search-api");
      hold.release();
    }

    function item(r, score) {
      var li = el("li", "md-search-result__item");
      var a = el("a", "md-search-result__link");
      a.href = safeHref(r.url);
      a.tabIndex = -1;
      var article = el("article", "md-search-result__article md-typeset");
      // Material's Enter opens the highest data-md-score: scores falling in the API's order keep its ranking.
      article.setAttribute("data-md-score", String(score));
      article.appendChild(el("div", "md-search-result__icon md-icon"));
      article.appendChild(el("h1", "", r.title));
      if (r.section && r.section !== r.title) article.appendChild(el("p", "hub-hs-section", r.section));
      var snippet = el("p", "hub-hs-snippet");
      snippet.appendChild(marked(r.snippet || "", r.highlights));
      article.appendChild(snippet);
      a.appendChild(article);
      li.appendChild(a);
      return li;
    }

    function allResults(query) {
      var li = el("li", "md-search-result__item hub-hs-all");
      var a = el("a", "md-search-result__link");
      a.href = SEARCH_PAGE + "?" + new URLSearchParams({ query: query }).toString();
      a.tabIndex = -1;
      var article = el("article", "md-search-result__article md-typeset");
      article.setAttribute("data-md-score", "0");
      article.appendChild(el("p", "hub-hs-all-text", "See all results and filters on the search page"));
      a.appendChild(article);
      li.appendChild(a);
      return li;
    }

    function render(data) {
      list.textContent = "";
      var n = data.results.length;
      var notice = data.degraded && data.notice ? " " + data.notice : "";
      meta.textContent = (n ? (n === 1 ? "1 matching section" : n + " matching sections") :
        "No results for \u201c" + data.query + "\u201d. Try fewer or other words.") + notice;
      data.results.forEach(function (r, i) { list.appendChild(item(r, n - i)); });
      list.appendChild(allResults(data.query));
    }

    function run() {
      if (mode !== "api") return;
      var q = input.value.trim().slice(0, 500);
      if (q === last) return;
      last = q;
      var mine = ++seq;
      if (!q) { list.textContent = ""; meta.textContent = "Type to start searching"; return; }
      var params = new URLSearchParams({ q: q, k: String(K) });
      fetch(API + "?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (resp) {
          // No API here (a static host answers 404) or it cannot search (5xx): use Material's search.
          if (resp.status === 404 || resp.status >= 500) throw new Error("no search API");
          return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
        })
        .then(function (res) {
          if (mine !== seq || mode !== "api") return;
          if (!res.ok) {
            list.textContent = "";
            meta.textContent = res.body.error ? res.body.error.message : "Search failed. Try again.";
            return;
          }
          document.documentElement.classList.add("hub-header-search-api");
          render(res.body);
        })
        .catch(function () { if (mine === seq) fallBack(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, WAIT_MS);
    });
    // Material's Clear button resets the form without an input event: clear the hub's list too.
    if (input.form) input.form.addEventListener("reset", function () {
      setTimeout(function () {
        last = null;
        if (mode === "api") { list.textContent = ""; meta.textContent = "Type to start searching"; }
      }, 0);
    });
    // Material fills the box from ?q= and focuses it; a reader may also come back to earlier words.
    input.addEventListener("focus", function () { if (input.value.trim()) run(); });
    if (input.value.trim()) run();
  }

  if (window.document$) { window.document$.subscribe(init); } else { document.addEventListener("DOMContentLoaded", init); }
})();
