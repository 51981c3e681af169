"""Keyboard-only paths in a real browser: skip link, both searches, the chat widget, the assessor,
visible focus on every stop, and no keyboard traps."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.support.a11y_pages import WAIT, settle

pytestmark = pytest.mark.browser

# What the focused element is, and whether its focus can be seen (outline or box-shadow ring).
FOCUS_INFO = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  if (!e.dataset.kbdKey) { window.__kbd = (window.__kbd || 0) + 1; e.dataset.kbdKey = String(window.__kbd); }
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return {
    key: e.dataset.kbdKey, tag: e.tagName.toLowerCase(), id: e.id, cls: String(e.className || ''),
    name: e.getAttribute('name'), type: e.getAttribute('type'), href: e.getAttribute('href'),
    text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 60),
    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
    shadow: s.boxShadow !== 'none',
    inMain: !!e.closest('main'),
    shown: r.width > 0 && r.height > 0 && s.visibility !== 'hidden',
    box: [r.x, r.y, r.width, r.height].map(Math.round),
    covered: (() => {
      // Is the middle of the focused element under the chat box (author content on top of it)?
      const box = document.getElementById('hub-chat-dialog');
      if (!box || box.hidden || box.contains(e)) return false;
      const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      return !!top && box.contains(top);
    })(),
    inView: r.right > 0 && r.left < innerWidth && r.bottom > 0 && r.top < innerHeight,
  };
}"""
MAX_TABS = 600


def focused(page: Page) -> dict | None:
    """Describe the element that has keyboard focus (None when it is the page itself)."""
    return page.evaluate(FOCUS_INFO)


def tab_until(page: Page, test, limit: int = MAX_TABS, key: str = "Tab") -> dict:
    """Press Tab until the focused element passes `test`; fail if it never does."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        info = focused(page)
        if info and test(info):
            return info
        seen.append(info and (info["tag"], info["id"] or info["text"]))
    raise AssertionError(f"Not reached with {limit} presses of {key}; last stops: {seen[-8:]}")


def tab_cycle(page: Page) -> list[dict]:
    """Tab through the whole page until focus comes back to the first stop; return every stop.

    Fails on a trap: the same element keeping focus over several presses, or no cycle at all.
    """
    stops: list[dict] = []
    first = None
    still = 0
    previous = None
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        info = focused(page)
        key = info["key"] if info else None
        if key is not None and key == previous:
            still += 1
            assert still < 3, f"Focus stuck on {info} for {still + 1} presses of Tab"
        else:
            still = 0
        previous = key
        if info is None:
            continue  # focus left the page for the browser's own controls; the next Tab comes back
        if first is None:
            first = key
        elif key == first:
            return stops
        stops.append(info)
    raise AssertionError(f"Focus never came back round after {MAX_TABS} presses: a trap? Last: {stops[-5:]}")


def describe(info: dict) -> str:
    """A short label for an element in a failure message."""
    return (
        f"<{info['tag']} id={info['id']!r} class={info['cls'][:40]!r} href={info['href']!r}> {info['text']!r}"
        f" at {info['box']}, ring={info['outline'] or info['shadow']}"
    )


def start(page: Page, url: str) -> None:
    """Open a page and put the keyboard's starting point at the top, as after a fresh load."""
    page.goto(url)
    page.locator("article h1").first.wait_for(timeout=WAIT)
    settle(page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, live_server):
    start(page, live_server + "/guidance/what-is-an-sop/")
    page.keyboard.press("Tab")
    info = focused(page)
    assert info and "md-skip" in info["cls"], f"first Tab stop is {info}"
    assert info["text"] == "Skip to content"
    assert page.locator("a.md-skip").is_visible()  # hidden until focused, then shown
    page.keyboard.press("Enter")
    info = focused(page)
    assert info and info["inMain"] and info["tag"] == "h1", f"after the skip link, focus is on {info}"
    # The next Tab continues inside the content, not back in the header.
    page.keyboard.press("Tab")
    info = focused(page)
    assert info and info["inMain"], f"Tab after skipping went to {info}"


def test_site_search_by_keyboard(page, live_server):
    start(page, live_server + "/")
    box = tab_until(page, lambda i: "md-search__input" in i["cls"])
    assert box["shown"]
    page.keyboard.type("glossary", delay=20)
    page.locator(".md-search-result__item").first.wait_for(timeout=WAIT)
    page.keyboard.press("ArrowDown")
    result = focused(page)
    assert result and "md-search-result__link" in result["cls"], f"ArrowDown went to {result}"
    href = result["href"]
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.split("#")[0].endswith(href.split("#")[0].lstrip("./")), timeout=WAIT)
    assert "glossary" in page.url


def test_hub_search_page_by_keyboard(page, live_server):
    start(page, live_server + "/tools/search/")
    tab_until(page, lambda i: i["id"] == "hub-search-input")
    page.keyboard.type("who pays the investors back", delay=10)
    page.keyboard.press("Enter")
    first = page.locator("#hub-search-results .hub-result-link").first
    first.wait_for(timeout=WAIT)
    # Tab from the box passes the three filters and then reaches the first result.
    link = tab_until(page, lambda i: "hub-result-link" in i["cls"], limit=6)
    assert link["href"] == first.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.endswith(link["href"]), timeout=WAIT)


def test_chat_widget_by_keyboard(page, live_server):
    start(page, live_server + "/")
    tab_until(page, lambda i: i["id"] == "hub-chat-open")
    page.keyboard.press("Enter")
    assert page.locator("#hub-chat-dialog").is_visible()
    assert focused(page)["id"] == "hub-chat-input"
    page.keyboard.type("who pays the investors back?", delay=10)
    page.keyboard.press("Enter")
    page.locator("#hub-chat-log .hub-chat-bot .hub-chat-cite").first.wait_for(timeout=WAIT)
    assert page.locator("#hub-chat-log .hub-chat-user").inner_text().endswith("who pays the investors back?")
    # Focus stays in the box, ready for a follow-up question.
    assert focused(page)["id"] == "hub-chat-input"
    # The answer's links and feedback buttons are reachable by Tab from inside the dialog.
    cite = tab_until(page, lambda i: "hub-chat-cite" in i["cls"], key="Shift+Tab", limit=40)
    assert cite["href"].startswith("/")
    page.keyboard.press("Escape")
    assert page.locator("#hub-chat-dialog").is_hidden()
    assert focused(page)["id"] == "hub-chat-open"


@pytest.mark.parametrize("viewport", [{"width": 320, "height": 640}, {"width": 1280, "height": 800}])
def test_focus_behind_the_open_chat_box_is_never_hidden_by_it(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        start(page, live_server + "/guidance/what-is-an-sop/")
        page.get_by_role("button", name="Ask a question").click()
        # The box is not modal: Tab goes on into the page. WCAG 2.4.11: what takes focus there
        # is scrolled clear of the box, or the box closes; it is never left underneath it.
        seen = []
        for _ in range(80):
            page.keyboard.press("Tab")
            info = focused(page)
            if info is None:
                continue
            seen.append(info)
            assert not info["covered"], info
        assert any(not i["id"].startswith("hub-chat") for i in seen), "Tab never left the chat box"
    finally:
        context.close()


def test_assessor_by_keyboard_alone(page, live_server):
    start(page, live_server + "/tools/feasibility-assessor/")
    page.locator("#fa-q-outcome_measurable legend").wait_for(timeout=WAIT)
    groups = page.locator("#fa-form fieldset.fa-question").evaluate_all("fs => fs.map(f => f.id.slice(5))")
    assert len(groups) >= 5
    # Each radio group is one Tab stop; Space picks the focused option, an arrow moves to the next.
    for n, qid in enumerate(groups):
        limit = MAX_TABS if n == 0 else 10  # the first group is past the header and side menu
        tab_until(page, lambda i, q=qid: i["tag"] == "input" and i["name"] == q, limit=limit)
        page.keyboard.press("Space")
        page.keyboard.press("ArrowRight")
    checked = page.locator("#fa-form input[type=radio]:checked").evaluate_all("xs => xs.map(x => x.value)")
    assert len(checked) == len(groups) and set(checked) == {"partly"}, checked

    # A wrong number, then submit with Enter: the error summary takes focus.
    page.locator("#fa-cohort_size").focus()
    page.keyboard.type("12.5")
    tab_until(page, lambda i: i["id"] == "fa-submit", limit=40)
    page.keyboard.press("Enter")
    page.locator("#fa-errors").wait_for(timeout=WAIT)
    assert focused(page)["id"] == "fa-errors"
    link = tab_until(page, lambda i: i["tag"] == "a", limit=2)
    assert "whole number" in link["text"]
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "fa-cohort_size"

    # Fix it by keyboard and submit again: the result takes focus.
    page.keyboard.press("Control+a")
    page.keyboard.type("200")
    tab_until(page, lambda i: i["id"] == "fa-submit", limit=40)
    page.keyboard.press("Enter")
    page.locator("#fa-result-title").wait_for(timeout=WAIT)
    assert focused(page)["id"] == "fa-result"
    assert page.locator("#fa-errors").is_hidden()
    assert re.match(r"Verdict: \w", page.locator("#fa-result-title").inner_text())


FOCUS_PAGES = {
    "home": "/",
    "assessor": "/tools/feasibility-assessor/",
    "search page": "/tools/search/",
    "project finder": "/projects/",
}


def unseen(stops: list[dict]) -> list[str]:
    """Focus stops a sighted keyboard user cannot see: no ring, no size, or off the screen."""
    return [describe(s) for s in stops if not (s["outline"] or s["shadow"]) or not s["shown"] or not s["inView"]]


@pytest.mark.parametrize("width", [1280, 320], ids=["desktop", "320px"])
@pytest.mark.parametrize("path", list(FOCUS_PAGES.values()), ids=list(FOCUS_PAGES))
def test_every_focus_stop_is_visible_and_tab_never_traps(browser, live_server, path, width):
    context = browser.new_context(viewport={"width": width, "height": 700})
    try:
        page = context.new_page()
        start(page, live_server + path)
        if path == "/tools/feasibility-assessor/":
            page.locator("#fa-q-outcome_measurable legend").wait_for(timeout=WAIT)
        stops = tab_cycle(page)
    finally:
        context.close()
    assert len(stops) > 10, stops
    bad = unseen(stops)
    assert not bad, f"{len(bad)} of {len(stops)} focus stops cannot be seen:\n" + "\n".join(bad)


def test_site_menu_opens_and_closes_by_keyboard_at_320px(browser, live_server):
    context = browser.new_context(viewport={"width": 320, "height": 700})
    try:
        page = context.new_page()
        start(page, live_server + "/guidance/what-is-an-sop/")
        menu = page.get_by_role("button", name="Site menu")
        assert menu.get_attribute("aria-expanded") == "false"
        tab_until(page, lambda i: i["text"] == "Site menu", limit=5)
        page.keyboard.press("Enter")
        assert menu.get_attribute("aria-expanded") == "true"
        settle(page)
        link = focused(page)
        assert link and link["tag"] == "a" and link["inView"], f"focus after opening the menu: {link}"
        page.keyboard.press("Escape")
        assert menu.get_attribute("aria-expanded") == "false"
        assert focused(page)["text"] == "Site menu"
    finally:
        context.close()


def test_no_trap_with_the_chat_widget_open_and_answered(page, live_server):
    start(page, live_server + "/guidance/what-is-an-sop/")
    page.get_by_role("button", name="Ask a question").click()
    page.get_by_label("Your question").fill("what is a social impact bond?")
    page.keyboard.press("Enter")
    page.locator("#hub-chat-log .hub-chat-bot .hub-chat-cite").first.wait_for(timeout=WAIT)
    # The widget is non-modal: Tab leaves it for the page (first Tab from the input: the send button,
    # then on). Start the cycle at the first stop outside the widget, which is always reachable again.
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("() => !document.getElementById('hub-chat').contains(document.activeElement)"):
            break
    page.keyboard.press("Shift+Tab")
    stops = tab_cycle(page)
    ids = [s["id"] for s in stops]
    # Focus comes back round to the widget: to its controls if the box is still open, or to its
    # launcher if the box closed because a focused control would have been hidden under it.
    assert ("hub-chat-input" in ids and "hub-chat-close" in ids) or "hub-chat-open" in ids
    assert any(s["inMain"] for s in stops)
    bad = unseen(stops)
    assert not bad, "focus stops that cannot be seen:\n" + "\n".join(bad)


def test_the_keyboard_checks_can_fail(page, live_server):
    """A hidden focus ring and a Tab trap must both be caught, so the passes above mean something."""
    start(page, live_server + "/")
    page.add_style_tag(
        content="*:focus-visible, .focus-visible { outline: none !important; box-shadow: none !important; }"
    )
    stops = []
    for _ in range(3):
        page.keyboard.press("Tab")
        stops.append(focused(page))
    assert len(unseen(stops)) == 3
    # A control that swallows Tab is a trap.
    page.evaluate(
        """() => document.querySelector('.hub-tools-bar a').addEventListener('keydown',
             (e) => { if (e.key === 'Tab') e.preventDefault(); })"""
    )
    with pytest.raises(AssertionError, match="Focus stuck"):
        tab_cycle(page)
