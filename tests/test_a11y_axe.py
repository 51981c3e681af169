"""WCAG 2.2 AA audit: axe-core on every page type and widget state, at desktop and at 320 px wide."""

from __future__ import annotations

import pytest

from tests.a11y_pages import AUDIT, AXE_JS, PAGE_STATES, WIDTHS, PageState, describe, run_axe

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def audit_summary(request):
    """After the module, print the totals the closing note quotes (states, widths, rules)."""
    yield
    if AUDIT.runs:
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line("")
            reporter.write_line("Accessibility audit: " + AUDIT.summary())


def test_axe_core_comes_from_the_npm_lockfile():
    assert AXE_JS.is_file(), "node_modules/axe-core is missing: run `make setup` (npm ci)"


@pytest.mark.parametrize("width", list(WIDTHS), ids=list(WIDTHS))
@pytest.mark.parametrize("state", PAGE_STATES, ids=[s.name for s in PAGE_STATES])
def test_no_wcag_violations(browser, live_server, state: PageState, width: str):
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h})
    try:
        page = context.new_page()
        state.open(page, live_server)
        result = run_axe(page)
    finally:
        context.close()
    AUDIT.add(state.name, width, result)
    assert result["rules"], "axe ran no rules: the tags are wrong"
    assert not result["violations"], (
        f"{state.name} ({state.path}) at {width}: {len(result['violations'])} WCAG violation(s)\n"
        + describe(result["violations"])
    )


def test_the_audit_can_fail(browser, live_server):
    """A page with known faults must produce violations, so a pass above means something."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        page.evaluate(
            """() => {
                const main = document.querySelector('article');
                main.insertAdjacentHTML('afterbegin',
                  '<img src="x.png"><p style="color:#bbb;background:#fff">Faint text</p><input type="text">');
            }"""
        )
        result = run_axe(page)
    finally:
        context.close()
    found = {v["id"] for v in result["violations"]}
    assert {"image-alt", "color-contrast", "label"} <= found, found
    message = describe(result["violations"])
    assert "- image-alt (critical): Images must have alternative text" in message, message
    # Each violation lists the selector of every failing element, so the fix can be found.
    block = message.split("- image-alt (critical)")[1].split("\n- ")[0]
    assert "\n    " in block and "img" in block, message
