/* Feasibility assessor page. Server text is only ever set with textContent, never as HTML. */
(function () {
  "use strict";
  var STORE = "sophub.feasibility.answers.v1";
  // Helpers and the result view live in feasibility-report.js, loaded just before this file.
  var F = window.SopFeasibility;
  var el = F.el;
  var safeHref = F.safeHref;
  var download = F.download;

  function init() {
    var root = document.getElementById("feasibility-assessor");
    if (!root || root.dataset.ready) return;
    root.dataset.ready = "1";
    var api = root.dataset.api;
    var questions = [];
    var answers = {};
    var answerLabels = {};

    var summary = el("div", { className: "fa-error-summary", role: "alert", tabindex: "-1", id: "fa-errors" });
    summary.hidden = true;
    var status = el("p", { id: "fa-status", role: "status", "aria-live": "polite" });
    var progressText = el("p", { id: "fa-progress-text" });
    var progress = el("progress", { id: "fa-progress", value: "0", max: "1", "aria-labelledby": "fa-progress-text" });
    var form = el("form", { id: "fa-form", novalidate: "" });
    var share = el("div", { className: "fa-share" });
    var offline = el("div", { className: "fa-offline admonition warning", id: "fa-offline" });
    offline.hidden = true;
    var result = el("section", { id: "fa-result", tabindex: "-1", "aria-labelledby": "fa-result-title" });
    result.hidden = true;
    root.textContent = "";
    [summary, status, progressText, progress, form, share, offline, result].forEach(function (n) { root.appendChild(n); });

    function setStatus(text) { status.textContent = text; }

    function save() {
      try { localStorage.setItem(STORE, JSON.stringify(answers)); } catch (e) { /* private mode: keep going */ }
      updateProgress();
      updateShare();
      if (!result.hidden) setStatus("Your answers have changed. Select \u201cSee the verdict\u201d again to update the result.");
    }

    function question(id) { return questions.filter(function (q) { return q.id === id; })[0]; }

    function fromFragment() {
      var hash = window.location.hash.replace(/^#/, "");
      if (!hash) return null;
      var params = new URLSearchParams(hash);
      var out = {};
      params.forEach(function (value, key) {
        var q = question(key);
        if (!q || value === "") return;
        out[key] = q.type === "number" ? Number(value) : value;
      });
      return Object.keys(out).length ? out : null;
    }

    function shareLink() {
      var params = new URLSearchParams();
      questions.forEach(function (q) { if (answers[q.id] !== undefined) params.set(q.id, answers[q.id]); });
      return window.location.origin + window.location.pathname + "#" + params.toString();
    }

    function updateShare() {
      var input = document.getElementById("fa-share-link");
      if (input) input.value = shareLink();
    }

    function updateProgress() {
      var n = questions.filter(function (q) { return answers[q.id] !== undefined; }).length;
      progress.max = questions.length;
      progress.value = n;
      progressText.textContent = n + " of " + questions.length + " questions answered";
    }

    function helpFor(q) {
      var p = el("p", { className: "fa-help", id: "fa-help-" + q.id }, q.help + " ");
      var a = el("a", { href: safeHref(q.guidance_url) }, "Read the guidance");
      p.appendChild(a);
      return p;
    }

    function errorLine(q) {
      var p = el("p", { className: "fa-field-error", id: "fa-err-" + q.id });
      p.hidden = true;
      return p;
    }

    function choiceQuestion(q, options) {
      var fs = el("fieldset", { className: "fa-question", id: "fa-q-" + q.id, "aria-describedby": "fa-help-" + q.id });
      fs.appendChild(el("legend", {}, q.text));
      fs.appendChild(helpFor(q));
      fs.appendChild(errorLine(q));
      var box = el("div", { className: "fa-options" });
      options.forEach(function (o) {
        var id = "fa-" + q.id + "-" + o.value;
        var input = el("input", { type: "radio", name: q.id, id: id, value: o.value });
        input.checked = answers[q.id] === o.value;
        input.addEventListener("change", function () { answers[q.id] = o.value; save(); });
        var label = el("label", { "for": id }, o.label);
        var wrap = el("span", { className: "fa-option" });
        wrap.appendChild(input);
        wrap.appendChild(label);
        box.appendChild(wrap);
      });
      fs.appendChild(box);
      return fs;
    }

    function fieldQuestion(q) {
      var div = el("div", { className: "fa-question fa-field", id: "fa-q-" + q.id });
      var id = "fa-" + q.id;
      div.appendChild(el("label", { "for": id }, q.text));
      div.appendChild(helpFor(q));
      div.appendChild(errorLine(q));
      var input;
      if (q.type === "number") {
        input = el("input", { type: "number", id: id, name: q.id, min: q.minimum, max: q.maximum,
          step: q.integer ? "1" : "any", inputmode: "decimal", "aria-describedby": "fa-help-" + q.id + " fa-err-" + q.id });
        if (answers[q.id] !== undefined) input.value = answers[q.id];
        input.addEventListener("input", function () {
          if (input.value === "" && !input.validity.badInput) delete answers[q.id];
          else if (input.value !== "" && isFinite(Number(input.value))) answers[q.id] = Number(input.value);
          save();
        });
      } else {
        input = el("select", { id: id, name: q.id, "aria-describedby": "fa-help-" + q.id });
        input.appendChild(el("option", { value: "" }, "Not chosen"));
        (q.options || []).forEach(function (o) {
          var opt = el("option", { value: o }, o);
          opt.selected = answers[q.id] === o;
          input.appendChild(opt);
        });
        input.addEventListener("change", function () {
          if (input.value) answers[q.id] = input.value; else delete answers[q.id];
          save();
        });
      }
      var row = el("div", { className: "fa-input-row" });
      row.appendChild(input);
      if (q.unit) row.appendChild(el("span", { className: "fa-unit" }, q.unit));
      div.appendChild(row);
      return div;
    }

    function buildForm(data) {
      form.textContent = "";
      data.answers.forEach(function (a) { answerLabels[a.value] = a.label; });
      questions = [];
      data.themes.forEach(function (theme) {
        var section = el("section", { className: "fa-theme", "aria-labelledby": "fa-theme-" + theme.id });
        section.appendChild(el("h2", { id: "fa-theme-" + theme.id }, theme.title));
        section.appendChild(el("p", {}, theme.intro));
        theme.questions.forEach(function (q) {
          questions.push(q);
          section.appendChild(q.type === "choice" ? choiceQuestion(q, data.answers) : fieldQuestion(q));
        });
        form.appendChild(section);
      });
      var actions = el("div", { className: "fa-actions" });
      var submit = el("button", { type: "submit", className: "md-button md-button--primary", id: "fa-submit" }, "See the verdict");
      var clear = el("button", { type: "button", className: "md-button", id: "fa-clear" }, "Clear all answers");
      clear.addEventListener("click", function () {
        answers = {};
        save();
        buildForm(data);
        result.hidden = true;
        setStatus("All answers cleared.");
      });
      actions.appendChild(submit);
      actions.appendChild(clear);
      form.appendChild(actions);
      share.textContent = "";
      share.appendChild(el("h2", {}, "Share or save your answers"));
      share.appendChild(el("label", { "for": "fa-share-link" }, "Link that carries your answers"));
      var link = el("input", { type: "text", id: "fa-share-link", readonly: "" });
      var copy = el("button", { type: "button", className: "md-button", id: "fa-copy" }, "Copy link");
      copy.addEventListener("click", function () {
        link.select();
        var done = function () { setStatus("Link copied."); };
        if (navigator.clipboard) navigator.clipboard.writeText(link.value).then(done, done); else done();
      });
      var row = el("div", { className: "fa-input-row" });
      row.appendChild(link);
      row.appendChild(copy);
      share.appendChild(row);
      updateProgress();
      updateShare();
    }

    function clientErrors() {
      var errs = [];
      questions.forEach(function (q) {
        if (q.type !== "number") return;
        var input = document.getElementById("fa-" + q.id);
        var v = input.value === "" ? null : Number(input.value);
        if (input.validity.badInput || (v !== null && (!isFinite(v) || v < q.minimum || v > q.maximum ||
            (q.integer && Math.floor(v) !== v)))) {
          errs.push({ field: q.id, message: "Enter " + (q.integer ? "a whole number" : "a number") + " from " +
            q.minimum + " to " + q.maximum + " (" + q.unit + ") for: " + q.text });
        }
      });
      return errs;
    }

    function showErrors(errs) {
      document.querySelectorAll(".fa-field-error").forEach(function (p) { p.hidden = true; p.textContent = ""; });
      document.querySelectorAll("[aria-invalid]").forEach(function (n) { n.removeAttribute("aria-invalid"); });
      summary.textContent = "";
      if (!errs.length) { summary.hidden = true; return; }
      summary.appendChild(el("h2", {}, "There is a problem"));
      var ul = el("ul", {});
      errs.forEach(function (e) {
        var id = String(e.field || "").replace(/^answers\./, "");
        var li = el("li", {});
        var target = document.getElementById("fa-q-" + id);
        if (target) {
          var a = el("a", { href: "#fa-q-" + id }, e.message);
          a.addEventListener("click", function (ev) {
            ev.preventDefault();
            var focusable = target.querySelector("input, select");
            if (focusable) focusable.focus();
            target.scrollIntoView({ block: "center" });
          });
          li.appendChild(a);
          var line = document.getElementById("fa-err-" + id);
          if (line) { line.textContent = e.message; line.hidden = false; }
          var input = document.getElementById("fa-" + id);
          if (input) input.setAttribute("aria-invalid", "true");
        } else {
          li.textContent = e.message;
        }
        ul.appendChild(li);
      });
      summary.appendChild(ul);
      summary.hidden = false;
      summary.focus();
    }

    function renderResult(r) {
      F.render(result, r, answerLabels);
      result.hidden = false;
      offline.hidden = true;
      setStatus("Verdict: " + r.verdict_label + ". Score " + r.score + " out of 100.");
      result.focus();
    }

    function answersJson() { return JSON.stringify({ answers: answers }, null, 2) + "\n"; }

    function showOffline() {
      offline.textContent = "";
      offline.appendChild(el("p", { className: "admonition-title" }, "The verdict is not available here"));
      offline.appendChild(el("p", {}, "The verdict needs the hub's API, which this copy of the hub cannot reach. " +
        "This happens on a static copy of the site. Your answers are still saved in this browser and in the share link."));
      offline.appendChild(el("p", {}, "Download your answers and run: sophub assess answers.json"));
      var b = el("button", { type: "button", className: "md-button", id: "fa-download-answers" }, "Download answers (JSON)");
      b.addEventListener("click", function () { download("answers.json", "application/json", answersJson()); });
      offline.appendChild(b);
      offline.hidden = false;
      setStatus("The verdict is not available: the hub's API cannot be reached.");
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var errs = clientErrors();
      showErrors(errs);
      if (errs.length) return;
      setStatus("Working out the verdict\u2026");
      fetch(api, { method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ answers: answers }) })
        .then(function (resp) {
          var isJson = (resp.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          if (!isJson) throw new Error("no API");
          return resp.json().then(function (body) { return { ok: resp.ok, status: resp.status, body: body }; });
        })
        .then(function (r) {
          if (r.ok) { renderResult(r.body); return; }
          var e = r.body.error || {};
          showErrors(e.details || [{ field: e.field, message: e.message || "The answers could not be checked." }]);
          setStatus("Please correct the answers listed at the top.");
        })
        .catch(showOffline);
    });

    function start(data) {
      var saved = {};
      try { saved = JSON.parse(localStorage.getItem(STORE) || "{}") || {}; } catch (e) { saved = {}; }
      questions = [];
      data.themes.forEach(function (t) { t.questions.forEach(function (q) { questions.push(q); }); });
      var shared = fromFragment();
      var chosen = shared || saved;
      answers = {};
      var choices = data.answers.map(function (a) { return a.value; });
      Object.keys(chosen).forEach(function (k) {
        // Keep only values the questionnaire allows: old storage or an edited link may hold others.
        var q = question(k), v = chosen[k];
        if (!q) return;
        if (q.type === "choice" && choices.indexOf(v) < 0) return;
        if (q.type === "number" && (typeof v !== "number" || !isFinite(v))) return;
        if (q.type === "policy_area" && (q.options || []).indexOf(v) < 0) return;
        answers[k] = v;
      });
      buildForm(data);
      save();
      if (shared) {
        // The shared answers are now saved here; drop them from the address so a reload keeps later edits.
        history.replaceState(null, "", window.location.pathname + window.location.search);
        setStatus("Answers loaded from the shared link.");
      }
    }

    function getJson(url) {
      return fetch(url, { headers: { "Accept": "application/json" } }).then(function (resp) {
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        return resp.json();
      });
    }

    getJson(root.dataset.questionsApi)
      .catch(function () { return getJson(root.dataset.questionsStatic); })
      .then(start)
      .catch(function () { setStatus("The questions could not be loaded. Reload the page to try again."); });
  }

  // Material's instant navigation swaps pages without a reload: run on each new page.
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
