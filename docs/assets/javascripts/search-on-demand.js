/* Load the site search index when the reader opens search, not with every page.
   Material fetches search/search_index.json (about 2.5 MB) with XMLHttpRequest as soon as a
   page loads. This holds that one request back until the search box gets focus, so a page
   costs only what it shows. hooks/lazy_search.py loads this file just before Material's bundle. */
(function () {
  "use strict";
  // A page opened from a search result highlights the words it matched: that needs the index now.
  if (/[?&]h=/.test(window.location.search)) return;
  var INDEX = /\/search\/search_index\.json(?:[?#]|$)/;
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  var held = [];
  var wanted = false;
  var deferred = false;

  function release() {
    if (wanted) return;
    wanted = true;
    held.splice(0).forEach(function (item) { send.apply(item.xhr, item.args); });
  }

  // header-search.js calls defer() when it takes the box for the hub's own search, and release()
  // if the hub's API cannot answer: Material's index is then fetched, for its keyword search.
  window.hubSearchIndex = {
    defer: function () { deferred = true; },
    release: release,
    released: function () { return wanted; }
  };

  XMLHttpRequest.prototype.open = function (method, url) {
    this.hubSearchIndex = INDEX.test(String(url));
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (this.hubSearchIndex && !wanted) {
      held.push({ xhr: this, args: arguments });
      return undefined;
    }
    return send.apply(this, arguments);
  };

  // Every way into search (click, tap, the / or s shortcut, Tab) ends with focus in its box.
  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (!deferred && el && el.matches && el.matches("[data-md-component=search-query]")) release();
  }, true);
  document.addEventListener("change", function (event) {
    if (!deferred && event.target && event.target.id === "__search") release();
  }, true);
})();
