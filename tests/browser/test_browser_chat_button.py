"""The chat opens from a visible, labelled button on every page: at least 44 x 44 px, text at 4.5:1 or more."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser
PAGES = ["/", "/guidance/what-is-an-sop/", "/projects/indigo-poj-0153/", "/projects/", "/tools/search/", "/glossary/"]
WIDTHS = {"320px": (320, 640), "desktop": (1280, 800)}


def rgb(css: str) -> tuple[float, float, float, float]:
    """'rgb(1, 2, 3)' or 'rgba(1, 2, 3, 0.5)' as numbers."""
    parts = [float(x) for x in re.findall(r"[\d.]+", css)]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)  # type: ignore[return-value]


def luminance(colour: tuple[float, ...]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    lin = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in colour[:3]]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: tuple[float, ...], bg: tuple[float, ...]) -> float:
    """WCAG contrast ratio of two opaque colours."""
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def button_look(page) -> dict:
    return page.evaluate(
        """() => {
            const b = document.getElementById('hub-chat-open');
            const s = getComputedStyle(b), r = b.getBoundingClientRect();
            return {w: r.width, h: r.height, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                    fg: s.color, bg: s.backgroundColor, vw: innerWidth, vh: innerHeight,
                    onTop: document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === b
                           || b.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2))};
        }"""
    )


def test_contrast_arithmetic_matches_known_pairs():
    assert round(contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0
    assert contrast((119, 119, 119), (255, 255, 255)) < 4.5 < contrast((118, 118, 118), (255, 255, 255))


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("path", PAGES)
def test_the_chat_button_is_visible_labelled_big_enough_and_readable(browser, live_server, path, width):
    context = browser.new_context(viewport=dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    try:
        page = context.new_page()
        page.goto(live_server + path, wait_until="networkidle")
        button = page.get_by_role("button", name="Ask a question")
        button.wait_for(state="visible", timeout=10000)  # chat-widget.js shows it once it can work
        for state in ("rest", "hover", "focus"):
            if state == "hover":
                button.hover()
            if state == "focus":
                button.focus()
            page.wait_for_timeout(300)  # Material's colour transitions
            look = button_look(page)
            assert look["w"] >= 44 and look["h"] >= 44, f"{path} {state}: {look['w']} x {look['h']} px"
            assert 0 <= look["left"] and look["right"] <= look["vw"] and look["bottom"] <= look["vh"], look
            assert look["onTop"], f"{path}: something covers the chat button"
            fg, bg = rgb(look["fg"]), rgb(look["bg"])
            assert bg[3] == 1.0, f"{path} {state}: the button's background is see-through ({look['bg']})"
            ratio = contrast(fg, bg)
            assert ratio >= 4.5, f"{path} {state}: text {look['fg']} on {look['bg']} is {ratio:.2f}:1"
        button.click()
        assert page.locator("#hub-chat-dialog").is_visible()
        assert page.evaluate("document.activeElement.id") == "hub-chat-input"
    finally:
        context.close()
