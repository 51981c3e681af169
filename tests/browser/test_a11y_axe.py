"""WCAG 2.2 AA audit: axe-core on every page type and widget state, at desktop and at 320 px wide."""

from __future__ import annotations

import json

import pytest

from tests.support.a11y_pages import AUDIT, AXE_JS, PAGE_STATES, ROOT, WIDTHS, PageState, describe, run_axe

pytestmark = pytest.mark.browser


def test_axe_core_comes_from_the_npm_lockfile():
    assert AXE_JS.is_file(), "node_modules/axe-core is missing: run `make setup` (npm ci)"
    pinned = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]["axe-core"]
    installed = json.loads((AXE_JS.parent / "package.json").read_text(encoding="utf-8"))["version"]
    assert installed == pinned, f"axe-core {installed} installed, {pinned} pinned: run `npm ci`"


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


def test_search_and_chat_dialogs_have_names(browser, live_server):
    """axe's aria-dialog-name is a best-practice rule, outside the WCAG tags: check it on its own."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        page.keyboard.press("/")
        page.get_by_role("button", name="Ask a question").click()
        run_axe(page)  # injects axe-core
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: {type: 'rule', values: ['aria-dialog-name']}});
                return {violations: r.violations, checked: r.passes.flatMap((p) => p.nodes.map((n) => n.target))};
            }"""
        )
    finally:
        context.close()
    assert not result["violations"], describe(result["violations"])
    assert len(result["checked"]) >= 2, result["checked"]  # Material's search dialog and the chat box
