/* The guidance chatbot widget. Server text is only ever set as text nodes (never innerHTML),
   links go only to this hub's own pages, and the conversation survives moving between pages. */
(function () {
  "use strict";
  var STORE = "hub-chat-v1";
  var KEEP_TURNS = 30;
  var HISTORY_ITEMS = 6;
  var HISTORY_TEXT = 500;

  function load() {
    try {
      var data = JSON.parse(window.sessionStorage.getItem(STORE) || "{}");
      return { open: !!data.open, turns: Array.isArray(data.turns) ? data.turns : [] };
    } catch (e) {
      return { open: false, turns: [] };
    }
  }

  function save(state) {
    try {
      window.sessionStorage.setItem(STORE, JSON.stringify({ open: state.open, turns: state.turns.slice(-KEEP_TURNS) }));
    } catch (e) { /* storage full or disabled: the chat still works on this page */ }
  }

  function safeHref(url) {
    // Only paths on this site: "/guidance/...#x". Not "//host", not "javascript:", not "http:".
    return typeof url === "string" && /^\/(?![\/\\])/.test(url) ? url : null;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function link(url, text) {
    var href = safeHref(url);
    if (!href) return el("span", "hub-chat-nolink", text);
    var a = el("a", "hub-chat-cite", text);
    a.href = href;
    return a;
  }

  function botText(turn) {
    if (turn.answer && turn.answer.length) return turn.answer.map(function (s) { return s.text; }).join(" ");
    return turn.message || "";
  }

  function init() {
    var root = document.getElementById("hub-chat");
    if (!root || root.dataset.ready) return;
    root.dataset.ready = "1";
    var api = root.dataset.api || "/api/";
    var timeout = parseInt(root.dataset.timeout || "15000", 10);
    var openBtn = document.getElementById("hub-chat-open");
    var dialog = document.getElementById("hub-chat-dialog");
    var closeBtn = document.getElementById("hub-chat-close");
    var logBox = document.getElementById("hub-chat-log");
    var status = document.getElementById("hub-chat-status");
    var form = document.getElementById("hub-chat-form");
    var input = document.getElementById("hub-chat-input");
    var clearBtn = document.getElementById("hub-chat-clear");
    var submit = form.querySelector("button[type=submit]");
    var state = load();
    var busy = false;

    function setStatus(text) { status.textContent = text || ""; }

    function feedbackRow(turn, question) {
      var row = el("div", "hub-chat-feedback");
      row.appendChild(el("span", "hub-chat-feedback-label", "Was this helpful?"));
      [["up", "Yes"], ["down", "No"]].forEach(function (opt) {
        var b = el("button", "hub-chat-thumb");
        b.type = "button";
        b.setAttribute("aria-pressed", turn.rated === opt[0] ? "true" : "false");
        b.setAttribute("aria-label", opt[1] + ", " + (opt[0] === "up" ? "this answer helped" : "this answer did not help"));
        b.dataset.rating = opt[0];
        // Arrows drawn in CSS, not emoji: not every system has an emoji font.
        b.appendChild(el("span", "hub-chat-thumb-icon hub-chat-thumb-" + opt[0]));
        b.appendChild(el("span", "hub-chat-thumb-text", opt[1]));
        b.addEventListener("click", function () { sendFeedback(turn, question, opt[0], row); });
        row.appendChild(b);
      });
      return row;
    }

    function renderBot(turn, question) {
      var box = el("div", "hub-chat-msg hub-chat-bot");
      box.appendChild(el("p", "hub-chat-who", "Hub"));
      if (turn.message) box.appendChild(el("p", "hub-chat-message", turn.message));
      if (turn.answer && turn.answer.length) {
        var list = el("ul", "hub-chat-answer");
        turn.answer.forEach(function (s) {
          var li = el("li");
          li.appendChild(el("span", "hub-chat-sentence", s.text));
          var c = s.citation || {};
          var label = c.title + (c.section && c.section !== c.title ? " \u203a " + c.section : "");
          var cite = el("span", "hub-chat-source");
          cite.appendChild(document.createTextNode(" Source: "));
          cite.appendChild(link(c.url, label));
          li.appendChild(cite);
          list.appendChild(li);
        });
        box.appendChild(list);
      }
      if (turn.related && turn.related.length) {
        box.appendChild(el("p", "hub-chat-related-label", turn.answered ? "Related pages:" : "Closest pages:"));
        var ul = el("ul", "hub-chat-related");
        turn.related.forEach(function (r) {
          var li = el("li");
          li.appendChild(link(r.url, r.title));
          ul.appendChild(li);
        });
        box.appendChild(ul);
      }
      if (turn.route && turn.route !== "error") box.appendChild(feedbackRow(turn, question));
      return box;
    }

    function render(turn, question) {
      if (turn.role === "user") {
        var box = el("div", "hub-chat-msg hub-chat-user");
        box.appendChild(el("p", "hub-chat-who", "You"));
        box.appendChild(el("p", "hub-chat-text", turn.text));
        return box;
      }
      return renderBot(turn, question);
    }

    function lastQuestion(index) {
      for (var i = index - 1; i >= 0; i--) if (state.turns[i].role === "user") return state.turns[i].text;
      return "";
    }

    function renderAll() {
      logBox.textContent = "";
      state.turns.forEach(function (t, i) { logBox.appendChild(render(t, lastQuestion(i))); });
      logBox.scrollTop = logBox.scrollHeight;
    }

    function history() {
      return state.turns.filter(function (t) { return t.route !== "error"; }).slice(-HISTORY_ITEMS).map(function (t) {
        return { role: t.role === "user" ? "user" : "bot", text: (t.role === "user" ? t.text : botText(t)).slice(0, HISTORY_TEXT) };
      }).filter(function (t) { return t.text; });
    }

    function post(path, body) {
      var ctrl = window.AbortController ? new AbortController() : null;
      var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, timeout);
      return fetch(api + path, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
        signal: ctrl ? ctrl.signal : undefined
      }).then(function (resp) {
        clearTimeout(timer);
        return resp.json().catch(function () { return {}; }).then(function (data) { return { ok: resp.ok, body: data }; });
      }, function (err) { clearTimeout(timer); throw err; });
    }

    function unreachable() {
      return "The question service cannot be reached just now, so I cannot answer. " +
        "Try again later, or use the search box at the top of the page.";
    }

    function addTurn(turn, question) {
      state.turns.push(turn);
      save(state);
      logBox.appendChild(render(turn, question));
      logBox.scrollTop = logBox.scrollHeight;
    }

    function ask(question) {
      if (busy) return;
      busy = true;
      submit.disabled = true;
      var hist = history();
      addTurn({ role: "user", text: question });
      setStatus("Looking for an answer\u2026");
      post("ask", { question: question, history: hist }).then(function (res) {
        var b = res.body || {};
        if (!res.ok) {
          var msg = b.error && b.error.message ? b.error.message : "Sorry, that question could not be answered.";
          addTurn({ role: "bot", route: "error", message: msg }, question);
          setStatus(msg);
          return;
        }
        addTurn({ role: "bot", route: b.route, answered: !!b.answered, message: b.message || "",
          answer: Array.isArray(b.answer) ? b.answer : [], related: Array.isArray(b.related) ? b.related : [] }, question);
        setStatus(b.answered ? "Answer received." : "No answer from the hub's pages.");
      }).catch(function () {
        addTurn({ role: "bot", route: "error", message: unreachable() }, question);
        setStatus(unreachable());
        root.classList.add("hub-chat-offline");
      }).then(function () {
        busy = false;
        submit.disabled = false;
      });
    }

    function sendFeedback(turn, question, rating, row) {
      var urls = (turn.answer || []).map(function (s) { return s.citation && s.citation.url; }).filter(safeHref);
      // The route lets the feedback report group ratings by how the question was handled.
      post("feedback", { rating: rating, question: question || undefined, answer_urls: urls, page: window.location.pathname,
                         route: turn.route || undefined })
        .then(function (res) {
          if (!res.ok) { setStatus((res.body.error && res.body.error.message) || "Feedback could not be sent."); return; }
          turn.rated = rating;
          save(state);
          row.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", b.dataset.rating === rating ? "true" : "false"); });
          setStatus("Thank you for your feedback.");
        })
        .catch(function () { setStatus("Feedback could not be sent: the hub's API cannot be reached."); });
    }

    function open(moveFocus) {
      dialog.hidden = false;
      openBtn.setAttribute("aria-expanded", "true");
      root.classList.add("hub-chat-is-open");
      state.open = true;
      save(state);
      renderAll();
      if (moveFocus) input.focus();
    }

    function close(keepFocus) {
      dialog.hidden = true;
      openBtn.setAttribute("aria-expanded", "false");
      root.classList.remove("hub-chat-is-open");
      state.open = false;
      save(state);
      if (keepFocus !== true) openBtn.focus();
    }

    openBtn.hidden = false;
    openBtn.addEventListener("click", function () { if (dialog.hidden) open(true); else close(); });
    closeBtn.addEventListener("click", function () { close(); });
    // Escape closes the box from anywhere. From the page behind it, focus stays put: the box can
    // cover what a reader tabbed to, and Escape uncovers it (WCAG 2.4.11). Search has its own Escape.
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || dialog.hidden) return;
      var active = document.activeElement;
      if (dialog.contains(active)) { e.preventDefault(); close(); return; }
      if (!(active && active.closest && active.closest(".md-search"))) close(true);
    });
    // WCAG 2.4.11: the box is not modal, so Tab goes on into the page behind it. A control that
    // takes focus there must not sit hidden under the box: scroll it clear, or close the box.
    function covered(target) {
      var r = target.getBoundingClientRect();
      if (!r.width && !r.height) return false;
      var top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return !!top && dialog.contains(top);
    }
    document.addEventListener("focusin", function (e) {
      var target = e.target;
      if (dialog.hidden || !target || !target.getBoundingClientRect || root.contains(target)) return;
      if (!covered(target)) return;
      var gap = target.getBoundingClientRect().bottom - dialog.getBoundingClientRect().top + 16;
      if (gap > 0) window.scrollBy(0, gap);
      if (covered(target)) close(true);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = input.value.replace(/\s+/g, " ").trim();
      if (!q) { setStatus("Type a question first."); input.focus(); return; }
      input.value = "";
      ask(q.slice(0, 500));
      input.focus();
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : submit.click(); }
    });
    clearBtn.addEventListener("click", function () {
      state.turns = [];
      save(state);
      renderAll();
      setStatus("Conversation cleared.");
      input.focus();
    });
    // Other parts of a page (the landing page's box) open the chat, with a question to send or none.
    window.hubChat = {
      open: function (question) {
        if (dialog.hidden) open(true);
        if (!question) { input.focus(); return; }
        input.value = question;
        if (form.requestSubmit) form.requestSubmit(); else submit.click();
      }
    };
    // Reopen on a new page if it was open, without taking focus from the page itself.
    if (state.open) open(false);
  }

  if (window.document$) { window.document$.subscribe(init); } else { document.addEventListener("DOMContentLoaded", init); }
})();
