"""The Content-Security-Policy blocks nothing the hub needs: zero violations, features still work.

Each test opens a page type on the real server (real site, API, model and index) in Chromium,
uses its feature, and collects every CSP violation two ways: the page's
`securitypolicyviolation` events and the browser's console messages (which also catch
violations inside workers).
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import SITE

pytestmark = pytest.mark.browser

WAIT = 30000  # ms: a busy machine can be slow; nothing here asserts on time
RECORD = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " in " + e.sourceFile + ":" + e.lineNumber);
}, true);
"""


@pytest.fixture
def csp_page(page):
    """A page that records CSP violations; the test fails if any happened."""
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.add_init_script(RECORD)
    page.csp_console = console
    yield page
    assert violations(page) == [], "the Content-Security-Policy blocked something"


def violations(page) -> list[str]:
    """Violations seen so far on the current document, plus any the console reported."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        events = page.evaluate("window.__csp || []")
    except PlaywrightError as exc:
        # Only a page mid-navigation (its context gone) may go unasked; anything else is a failure.
        if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
            raise
        events = []
    return events + page.csp_console


def open_page(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    assert_inline_scripts_ran(page)


def assert_inline_scripts_ran(page) -> None:
    """Material's inline head script (allowed by its hash) defines __md_get; its bundle needs it."""
    assert page.evaluate("typeof window.__md_get") == "function"


def test_the_detector_sees_a_blocked_inline_script(page, live_server):
    """Guard: an inline script with no hash is blocked and reported, so zero really means zero."""
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.add_init_script(RECORD)
    page.goto(live_server + "/")
    page.evaluate("""() => { const s = document.createElement("script");
        s.textContent = "window.__ran = 1"; document.body.appendChild(s); }""")
    page.wait_for_function("window.__csp.length > 0", timeout=WAIT)
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in page.evaluate("window.__csp"))


def test_home_and_material_search(csp_page, live_server):
    open_page(csp_page, live_server + "/")
    assert csp_page.locator("h1").first.is_visible()
    # Material's own search runs in a web worker loaded from the site.
    csp_page.keyboard.press("/")
    csp_page.locator("input.md-search__input").press_sequentially("peterborough", delay=10)
    csp_page.locator(".md-search-result__item").first.wait_for(timeout=WAIT)


def _mermaid_page() -> str:
    """The first built page with a Mermaid diagram (whichever it is today)."""
    for path in sorted(SITE.rglob("index.html")):
        if 'class="mermaid"' in path.read_text(encoding="utf-8"):
            return "/" + str(path.parent.relative_to(SITE)).replace("\\", "/").strip(".") + "/"
    pytest.fail("no built page has a Mermaid diagram")


def test_guidance_page_with_a_mermaid_diagram(csp_page, live_server):
    open_page(csp_page, live_server + _mermaid_page())
    diagram = csp_page.locator("div.mermaid").first
    diagram.wait_for(timeout=WAIT)
    assert diagram.bounding_box()["height"] > 20
    assert csp_page.locator("pre.mermaid").count() == 0


def test_project_finder_and_a_project_page(csp_page, live_server):
    open_page(csp_page, live_server + "/projects/")
    status = csp_page.locator("#pf-status")
    status.wait_for(timeout=WAIT)
    csp_page.get_by_label("Words in the name or description").fill("zzqqxx")
    status.filter(has_text=re.compile(r"^0 of")).wait_for(timeout=WAIT)
    link = csp_page.locator("#project-table tbody a").first.get_attribute("href")
    open_page(csp_page, live_server + "/projects/" + link if not link.startswith("/") else live_server + link)
    assert csp_page.locator("h1").first.inner_text()


def test_charts_page(csp_page, live_server):
    open_page(csp_page, live_server + "/projects/charts/")
    assert csp_page.locator("article svg, article figure, article table").count() > 0


def test_search_page_with_results(csp_page, live_server):
    open_page(csp_page, live_server + "/tools/search/?query=who+pays+the+investors+back")
    csp_page.locator("#hub-search-results .hub-result-link").first.wait_for(timeout=WAIT)
    # Filters come from the API too.
    assert csp_page.locator("#hub-search-type option").count() > 1
    # Enter searches in place: the form (no inline handler any more) never reloads the page.
    # A marker on window survives only if the page is not reloaded.
    csp_page.evaluate("window.__noReload = true")
    box = csp_page.get_by_label("Your question or keywords")
    box.fill("what happens if targets are missed")
    box.press("Enter")
    csp_page.locator("#hub-search-results .hub-result-link").first.wait_for(timeout=WAIT)
    assert csp_page.evaluate("window.__noReload === true")
    # The address follows the query (replaceState), so the search can be shared.
    assert "query=what+happens+if+targets+are+missed" in csp_page.url


def test_feasibility_questionnaire(csp_page, live_server):
    open_page(csp_page, live_server + "/tools/feasibility-assessor/")
    csp_page.locator("#fa-q-outcome_measurable legend").wait_for(timeout=WAIT)
    for radio in csp_page.locator("#fa-form input[type=radio][value=yes]").all():
        radio.check()
    csp_page.get_by_label("Which policy area is the service in?").select_option(index=1)
    csp_page.get_by_role("button", name="See the verdict").click()
    assert csp_page.locator("#fa-result-title").inner_text(timeout=WAIT).startswith("Verdict:")


def test_chat_widget_opened_and_used(csp_page, live_server):
    open_page(csp_page, live_server + "/guidance/")
    csp_page.get_by_role("button", name="Ask a question").click()
    box = csp_page.get_by_label("Your question")
    box.fill("who pays the investors back?")
    box.press("Enter")
    csp_page.locator("#hub-chat-log .hub-chat-bot .hub-chat-cite").first.wait_for(timeout=WAIT)


def test_not_found_page(csp_page, live_server):
    csp_page.goto(live_server + "/no-such-page/")
    assert_inline_scripts_ran(csp_page)
