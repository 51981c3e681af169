"""At 320 px wide the chart pages and search never scroll sideways, and chart text renders at 12 px or more.

Real browser (Debian chromium) on the real stack (WCAG 2.2 SC 1.4.10 reflow, SC 1.4.4 text size).
A chart may scroll sideways inside its own box (reflow's exception for two-dimensional content)
if that box can be reached and scrolled with a keyboard.
"""

from __future__ import annotations

import pytest

from tests.content.test_chart_accessibility import SCHEMES, chart_pages
from tests.support import content_site as cs

pytestmark = pytest.mark.browser
WIDTH = 320
MIN_TEXT_PX = 12.0

# Per chart: the smallest rendered text size, text drawn outside the chart, and its box.
CHART_FACTS = """() => [...document.querySelectorAll('svg.indigo-chart')].map(svg => {
  const vb = svg.viewBox.baseVal, box = svg.parentElement, style = getComputedStyle(box);
  let smallest = Infinity; const outside = [];
  for (const t of svg.querySelectorAll('text')) {
    // Font size in viewBox units times the viewBox-to-screen scale: the size the reader sees.
    smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
    const b = t.getBBox();
    if (b.x < 0 || b.y < 0 || b.x + b.width > vb.width || b.y + b.height > vb.height) outside.push(t.textContent);
  }
  return {name: svg.getAttribute('aria-labelledby'), smallest, outside,
          width: svg.getBoundingClientRect().width, boxWidth: box.clientWidth, overflowX: style.overflowX,
          tabindex: box.getAttribute('tabindex'), label: box.getAttribute('aria-label') || ''};
})"""


def chart_urls() -> list[str]:
    """The URL path of every built page with an INDIGO chart."""
    rels = chart_pages(cs.built_site().path)
    return ["/" + rel.removesuffix("index.html") for rel in sorted(rels)]


@pytest.fixture
def narrow(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 640})
    yield context.new_page()
    context.close()


def poll(pg, js: str, tries: int = 100) -> bool:
    """True once the script returns true; page.evaluate, since the CSP forbids wait_for_function's eval."""
    for _ in range(tries):
        if pg.evaluate(js):
            return True
        pg.wait_for_timeout(50)
    return False


def page_width(pg) -> int:
    return pg.evaluate("document.documentElement.scrollWidth")


def test_there_are_chart_pages_to_check():
    assert chart_urls(), "no built page has an INDIGO chart"


@pytest.mark.parametrize("path", chart_urls())
def test_chart_page_fits_320px_and_chart_text_stays_readable(narrow, live_server, path):
    narrow.goto(live_server + path)
    assert page_width(narrow) <= WIDTH, f"{path} scrolls sideways at {WIDTH} px: {page_width(narrow)} px wide"
    # The contrast test assumes Material's page background: check the browser agrees.
    background = narrow.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background in {_rgb(s["background"]) for s in SCHEMES.values()}, background
    charts = narrow.evaluate(CHART_FACTS)
    assert charts, f"{path}: no chart rendered"
    for c in charts:
        assert c["smallest"] >= MIN_TEXT_PX, f"{path} {c['name']}: text renders at {c['smallest']:.1f} px"
        assert not c["outside"], f"{path} {c['name']}: text drawn outside the chart: {c['outside']}"
        if c["width"] > c["boxWidth"] + 1:
            # Wider than its box: the box must scroll, and a keyboard must be able to reach it.
            assert c["overflowX"] in ("auto", "scroll"), f"{path} {c['name']}: cut off, not scrollable"
            assert c["tabindex"] == "0" and c["label"], f"{path} {c['name']}: scroll box not focusable or unnamed"


def test_chart_box_scrolls_with_the_keyboard(narrow, live_server):
    narrow.goto(live_server + chart_urls()[0])
    box = narrow.locator(".indigo-chart-scroll").first
    box.focus()
    assert narrow.evaluate("document.activeElement.classList.contains('indigo-chart-scroll')")
    narrow.keyboard.press("ArrowRight")
    assert poll(narrow, "() => document.activeElement.scrollLeft > 0"), "ArrowRight did not scroll the chart box"


def test_search_page_with_filters_and_results_fits_320px(narrow, live_server):
    narrow.goto(live_server + "/tools/search/?query=what+happens+if+targets+are+missed")
    # The filters fill from the API; the widest option (a country name) used to widen the page.
    narrow.locator("#hub-search-country option").nth(5).wait_for(state="attached", timeout=15000)
    narrow.locator("#hub-search-results li").first.wait_for(timeout=30000)
    assert page_width(narrow) <= WIDTH, f"/tools/search/ scrolls sideways at {WIDTH} px: {page_width(narrow)} px"
    for select in ("#hub-search-type", "#hub-search-policy", "#hub-search-country"):
        right = narrow.evaluate(f"document.querySelector('{select}').getBoundingClientRect().right")
        assert right <= WIDTH, f"{select} ends at {right} px"


def _rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"
