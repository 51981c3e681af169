/* Small accessibility fixes to Material's own markup (see docs/assets/stylesheets/a11y.css). */
(function () {
  "use strict";

  function nameSearchDialog() {
    // Material's search overlay has role="dialog" but no name (axe: aria-dialog-name).
    var dialog = document.querySelector(".md-search[role='dialog']");
    if (dialog && !dialog.hasAttribute("aria-label")) dialog.setAttribute("aria-label", "Search this site");
  }

  function tableName(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    // No caption: use the nearest heading above the table, so the region still has a useful name.
    var node = wrap;
    while (node) {
      var prev = node.previousElementSibling;
      while (prev) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent.replace(/\u00b6/g, "").trim() + " (table)";
        prev = prev.previousElementSibling;
      }
      node = node.parentElement;
      if (!node || node.tagName === "ARTICLE") break;
    }
    return "Table";
  }

  function scrollableTables() {
    // A table wider than the screen scrolls sideways: keyboard users need to focus it to scroll
    // (axe: scrollable-region-focusable). Only scrolling ones become tab stops.
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", tableName(wrap));
      } else if (wrap.getAttribute("tabindex") === "0") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  function skipLink(event) {
    // Following "Skip to content" should move keyboard focus, not just scroll the page.
    var link = event.target.closest ? event.target.closest("a.md-skip") : null;
    if (!link || !link.hash) return;
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }

  function navNames() {
    // A menu section with its own index page points aria-labelledby at a label id Material never
    // writes (axe: aria-valid-attr-value). The section's title is that name: give it the id.
    document.querySelectorAll("nav.md-nav[aria-labelledby]").forEach(function (nav) {
      var id = nav.getAttribute("aria-labelledby");
      if (document.getElementById(id)) return;
      var title = nav.querySelector(":scope > .md-nav__title");
      if (title) title.id = id;
    });
  }

  function drawer() {
    // Below 1220 px the site menu is a drawer opened by a <label>, which a keyboard cannot reach.
    // Make that label a real button; a11y.css hides the closed drawer so its links stop being
    // invisible Tab stops.
    var toggle = document.getElementById("__drawer");
    var button = document.querySelector("label.md-header__button[for='__drawer']");
    var panel = document.querySelector(".md-sidebar--primary");
    if (!toggle || !button || !panel || button.hasAttribute("role")) return;
    button.setAttribute("role", "button");
    button.setAttribute("tabindex", "0");
    button.setAttribute("aria-label", "Site menu");
    button.setAttribute("aria-expanded", String(toggle.checked));

    function set(open, focus) {
      if (toggle.checked !== open) {
        toggle.checked = open;
        toggle.dispatchEvent(new Event("change")); // Material listens to lock page scrolling
      }
      button.setAttribute("aria-expanded", String(open));
      if (!focus) return;
      if (open) {
        var first = panel.querySelector("a[href], label[tabindex], input:not(.md-toggle)");
        if (first) first.focus();
      } else {
        button.focus();
      }
    }

    toggle.addEventListener("change", function () { button.setAttribute("aria-expanded", String(toggle.checked)); });
    button.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" && e.key !== " ") return;
      e.preventDefault();
      set(!toggle.checked, true);
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && toggle.checked) set(false, true);
    });
    // Tabbing out of the open drawer closes it, so focus never sits behind it.
    document.addEventListener("focusin", function (e) {
      if (toggle.checked && !panel.contains(e.target) && e.target !== button) set(false, false);
    });
  }

  var timer = null;
  function init() {
    nameSearchDialog();
    navNames();
    drawer();
    // Material wraps tables after the page loads; wait a frame so the wrappers exist.
    window.requestAnimationFrame(scrollableTables);
  }

  document.addEventListener("click", skipLink);
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(scrollableTables, 150);
  });
  if (window.document$) { window.document$.subscribe(init); } else { document.addEventListener("DOMContentLoaded", init); }
})();
