"""Every page type and widget state the accessibility audit opens, and the axe-core runner.

Shared by tests/browser/test_a11y_axe.py and tests/browser/test_browser_keyboard.py (and usable by a page-weight
script): each state is a path plus the steps a reader takes to reach it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe has no wcag22a tag: 2.2's new A rules are tagged 21a/22aa).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {"desktop": (1280, 800), "320px": (320, 640)}
WAIT = 30000  # ms: the first question to the real model can be slow on a busy machine


def _search_page(page: Page) -> None:
    page.get_by_label("Your question or keywords").press_sequentially("who pays the investors back", delay=10)
    page.keyboard.press("Enter")
    page.locator("#hub-search-results .hub-result-link").first.wait_for(timeout=WAIT)


def _header_search(page: Page) -> None:
    page.keyboard.press("/")  # Material's shortcut; at 320 px it opens the full-screen dialog
    page.locator("input.md-search__input").press_sequentially("peterborough", delay=10)
    page.locator(".md-search-result .hub-hs-snippet").first.wait_for(timeout=WAIT)


def _material_search(page: Page) -> None:
    # Without the hub's API the header box is Material's own search.
    page.route("**/api/**", lambda route: route.abort())
    page.reload()
    page.locator("article h1").first.wait_for(timeout=WAIT)
    page.keyboard.press("/")
    page.locator("input.md-search__input").press_sequentially("peterborough", delay=10)
    page.locator(".md-search-result__item").first.wait_for(timeout=WAIT)


def _landing_ask(page: Page) -> None:
    page.get_by_label("Search the hub or ask a question").fill("who pays the investors back?")
    page.get_by_role("button", name="Ask", exact=True).click()
    page.locator("#hub-chat-log .hub-chat-bot .hub-chat-cite").first.wait_for(timeout=WAIT)


def _chat_answer(page: Page) -> None:
    page.get_by_role("button", name="Ask a question").click()
    box = page.get_by_label("Your question")
    box.fill("who pays the investors back?")
    box.press("Enter")
    page.locator("#hub-chat-log .hub-chat-bot .hub-chat-cite").first.wait_for(timeout=WAIT)


def _assessor(page: Page) -> None:
    page.locator("#fa-q-outcome_measurable legend").wait_for(timeout=WAIT)


def _assessor_error(page: Page) -> None:
    # A missing answer counts as "not sure yet" by design, so an invalid number is what errs.
    _assessor(page)
    page.locator("#fa-cohort_size").fill("12.5")
    page.get_by_role("button", name="See the verdict").click()
    page.locator("#fa-errors").wait_for(timeout=WAIT)


def _assessor_result(page: Page) -> None:
    _assessor(page)
    for radio in page.locator("#fa-form input[type=radio][value=yes]").all():
        radio.check()
    page.get_by_label("Which policy area is the service in?").select_option(index=1)
    page.get_by_role("button", name="See the verdict").click()
    page.locator("#fa-result-title").wait_for(timeout=WAIT)


def _finder(page: Page) -> None:
    # Filter the table by the first country offered, as a reader would.
    page.locator("#project-finder").wait_for(timeout=WAIT)
    page.locator("#project-finder select").first.select_option(index=1)
    page.locator("#pf-status").filter(has_text="match").wait_for(timeout=WAIT)
    page.locator("#pf-download-api").wait_for(timeout=WAIT)  # the download links for the filtered list


@dataclass(frozen=True)
class PageState:
    """One page, optionally driven into a state (results shown, widget open, form submitted)."""

    name: str
    path: str
    drive: Callable[[Page], None] | None = field(default=None, compare=False)

    def open(self, page: Page, base: str) -> None:
        """Load the page, check it exists, and take the reader's steps."""
        response = page.goto(base + self.path)
        assert response is not None and response.ok, f"{self.path} answered {response and response.status}"
        page.locator("article h1").first.wait_for(timeout=WAIT)
        if self.drive:
            self.drive(page)
        settle(page)


PAGE_STATES: list[PageState] = [
    PageState("home", "/"),
    PageState("guidance page", "/guidance/what-is-an-sop/"),
    PageState("case study", "/case-studies/peterborough/"),
    PageState("evidence summary", "/evidence/peterborough-results/"),
    PageState("glossary", "/glossary/"),
    PageState("project page", "/projects/indigo-poj-0001/"),
    PageState("project finder (filtered)", "/projects/", _finder),
    PageState("project charts", "/projects/charts/"),
    PageState("fund page", "/funds/life-chances-fund-united-kingdom/"),
    PageState("organisations", "/organisations/"),
    PageState("accessibility statement", "/about/accessibility/"),
    PageState("search page with results", "/tools/search/", _search_page),
    PageState("header search with the hub's results", "/", _header_search),
    PageState("header search with Material's results (no API)", "/", _material_search),
    PageState("landing page: asked from the box", "/", _landing_ask),
    PageState("chat widget open with an answer", "/guidance/what-is-an-sop/", _chat_answer),
    PageState("assessor: questions", "/tools/feasibility-assessor/", _assessor),
    PageState("assessor: error summary", "/tools/feasibility-assessor/", _assessor_error),
    PageState("assessor: result", "/tools/feasibility-assessor/", _assessor_result),
]


def settle(page: Page) -> None:
    """Wait for network and CSS transitions to finish, so contrast is measured on final colours.

    Polls with page.evaluate: wait_for_function compiles its test with eval, which the CSP forbids.
    """
    page.wait_for_load_state("networkidle")
    for _ in range(WAIT // 50):
        if page.evaluate("() => document.getAnimations().every((a) => a.playState !== 'running')"):
            return
        page.wait_for_timeout(50)
    raise AssertionError("CSS animations still running after 30 s")


def run_axe(page: Page) -> dict[str, Any]:
    """Inject axe-core and run the WCAG A/AA rules on the whole document.

    page.evaluate is not subject to the site's Content-Security-Policy, unlike a script tag.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            const ids = (xs) => xs.map((x) => x.id);
            return {version: axe.version, rules: axe.getRules(tags).map((x) => x.ruleId),
                    violations: r.violations, incomplete: ids(r.incomplete),
                    applied: [...ids(r.passes), ...ids(r.violations), ...ids(r.incomplete)]};
        }""",
        WCAG_TAGS,
    )


def describe(violations: list[dict[str, Any]]) -> str:
    """One readable block per violation: id, impact, help, and each failing element's selector."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' > '.join(map(str, node['target']))}: {summary[:300]}")
    return "\n".join(lines)


@dataclass
class AuditLog:
    """Totals across the session, for the closing note: states x widths, rules, violations."""

    runs: list[tuple[str, str, int]] = field(default_factory=list)
    rules: set[str] = field(default_factory=set)
    applied: set[str] = field(default_factory=set)
    incomplete: set[str] = field(default_factory=set)
    version: str = ""

    def add(self, state: str, width: str, result: dict[str, Any]) -> None:
        """Record one axe run."""
        self.runs.append((state, width, len(result["violations"])))
        self.rules.update(result["rules"])
        self.applied.update(result["applied"])
        self.incomplete.update(result["incomplete"])
        self.version = result["version"]

    def to_json(self) -> str:
        """The log as JSON: a test worker hands it to the controller (pytest-xdist)."""
        sets = {k: sorted(getattr(self, k)) for k in ("rules", "applied", "incomplete")}
        return json.dumps({"runs": self.runs, "version": self.version, **sets})

    def merge(self, text: str) -> None:
        """Add a worker's log (from to_json) to this one."""
        data = json.loads(text)
        self.runs += [tuple(r) for r in data["runs"]]
        for k in ("rules", "applied", "incomplete"):
            getattr(self, k).update(data[k])
        self.version = self.version or data["version"]

    def summary(self) -> str:
        """The line the lead quotes."""
        states = sorted({s for s, _, _ in self.runs})
        widths = sorted({w for _, w, _ in self.runs})
        bad = sum(n for _, _, n in self.runs)
        review = f"; needs manual review: {', '.join(sorted(self.incomplete))}" if self.incomplete else ""
        return (
            f"axe-core {self.version}: {len(states)} page states x {len(widths)} widths = {len(self.runs)} runs, "
            f"{len(self.rules)} WCAG 2.x A/AA rules checked ({len(self.applied)} applied to these pages), "
            f"{bad} violations{review}"
        )


AUDIT = AuditLog()
