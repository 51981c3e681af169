/* The landing page's box: Search goes to the search page (a plain form, so it works without
   JavaScript); Ask opens the chat box with the words typed and sends them. */
(function () {
  "use strict";
  function init() {
    var form = document.getElementById("hub-front");
    var ask = document.getElementById("hub-front-ask");
    var input = document.getElementById("hub-front-input");
    if (!form || !ask || !input || form.dataset.ready || !window.hubChat) return;
    form.dataset.ready = "1";
    ask.hidden = false;
    ask.addEventListener("click", function () {
      window.hubChat.open(input.value.replace(/\s+/g, " ").trim().slice(0, 500));
    });
  }
  if (window.document$) { window.document$.subscribe(init); } else { document.addEventListener("DOMContentLoaded", init); }
})();
