/* Feasibility assessor: the result view and downloads. Server text is only set with textContent. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function safeHref(url) {
    // The hub's own pages, or an https page elsewhere (INDIGO records); never another scheme.
    if (typeof url !== "string") return "#";
    if (url.charAt(0) === "/" && url.charAt(1) !== "/") return url;
    return /^https:\/\//.test(url) ? url : "#";
  }

  function download(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = el("a", { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function render(result, r, answerLabels) {
    var titles = {};
    r.criteria.forEach(function (c) { titles[c.id] = c.title; });
    result.textContent = "";
    result.className = "fa-result fa-verdict-" + r.verdict;
    result.appendChild(el("h2", { id: "fa-result-title" }, "Verdict: " + r.verdict_label));
    result.appendChild(el("p", { className: "fa-score" }, "Score: " + r.score + " out of 100"));
    result.appendChild(el("p", {}, r.verdict_summary));
    if (r.blockers.length) {
      result.appendChild(el("h3", {}, "Blockers"));
      var bl = el("ul", { id: "fa-blockers" });
      r.blockers.forEach(function (b) { bl.appendChild(el("li", {}, titles[b] || b)); });
      result.appendChild(bl);
    }
    result.appendChild(el("h3", {}, "Findings"));
    var table = el("table", { id: "fa-findings" });
    var head = el("tr", {});
    ["Test", "Your answer", "Status", "Why", "What to do"].forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
    var thead = el("thead", {});
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el("tbody", {});
    r.criteria.forEach(function (c) {
      var tr = el("tr", { "data-criterion": c.id, "data-status": c.status });
      var th = el("th", { scope: "row" });
      th.appendChild(el("a", { href: safeHref(c.guidance_url) }, c.title));
      tr.appendChild(th);
      tr.appendChild(el("td", {}, answerLabels[c.answer] || c.answer));
      tr.appendChild(el("td", { className: "fa-status fa-status-" + c.status }, c.status_label));
      tr.appendChild(el("td", {}, c.reason));
      tr.appendChild(el("td", {}, c.advice));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    result.appendChild(table);
    result.appendChild(el("h3", {}, "Next steps"));
    var ol = el("ol", { id: "fa-next-steps" });
    r.next_steps.forEach(function (s) {
      var li = el("li", {}, s.text + " ");
      var about = s.criterion && titles[s.criterion] ? " on " + titles[s.criterion].toLowerCase() : "";
      li.appendChild(el("a", { href: safeHref(s.guidance_url) }, "Read the guidance" + about));
      ol.appendChild(li);
    });
    result.appendChild(ol);
    result.appendChild(el("h3", {}, "Similar projects"));
    if (r.comparable_projects.length) {
      var ul = el("ul", { id: "fa-comparable" });
      r.comparable_projects.forEach(function (p) {
        var li = el("li", {});
        li.appendChild(el("a", { href: safeHref(p.url) }, p.name));
        li.appendChild(document.createTextNode(" (" + p.policy_area + ", " + p.countries.join(", ") + "). " + p.why + " "));
        li.appendChild(el("a", { href: safeHref(p.indigo_url) }, "INDIGO record"));
        ul.appendChild(li);
      });
      result.appendChild(ul);
      result.appendChild(el("p", { className: "fa-credit" }, r.credit));
    } else {
      result.appendChild(el("p", {}, "Choose a policy area or give a contract value to see similar projects."));
    }
    result.appendChild(el("p", { className: "fa-version" }, "Rules version " + r.rules_version + "."));
    var actions = el("div", { className: "fa-actions fa-result-actions" });
    var md = el("button", { type: "button", className: "md-button", id: "fa-export-md" }, "Download as Markdown");
    md.addEventListener("click", function () { download("sop-feasibility.md", "text/markdown", r.markdown || ""); });
    var js = el("button", { type: "button", className: "md-button", id: "fa-export-json" }, "Download as JSON");
    js.addEventListener("click", function () {
      var copy = JSON.parse(JSON.stringify(r));
      delete copy.markdown;
      download("sop-feasibility.json", "application/json", JSON.stringify(copy, null, 2) + "\n");
    });
    var pr = el("button", { type: "button", className: "md-button", id: "fa-print" }, "Print for a board paper");
    pr.addEventListener("click", function () { window.print(); });
    [md, js, pr].forEach(function (b) { actions.appendChild(b); });
    result.appendChild(actions);
  }

  window.SopFeasibility = { el: el, safeHref: safeHref, download: download, render: render };
})();
