"""The landing page in a real browser: one box to search or ask, the cards, the recently reviewed pages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from search_api.config import ROOT

pytestmark = pytest.mark.browser
WAIT = 30000
DOCS = ROOT / "docs"
CARDS = {
    "Guidance": "/guidance/",
    "Case studies": "/case-studies/",
    "Evidence": "/evidence/",
    "Projects": "/projects/",
    "Feasibility assessor": "/tools/feasibility-assessor/",
}


def front_matter_dates() -> dict[str, dt.date]:
    """Page URL -> last_reviewed, read straight from each Markdown file's front matter."""
    out = {}
    for path in DOCS.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---"):
            continue
        meta = yaml.safe_load(text.split("---", 2)[1]) or {}
        if meta.get("last_reviewed"):
            rel = path.relative_to(DOCS).as_posix().removesuffix(".md")
            url = "/" + (rel.removesuffix("index") if rel.endswith("index") else rel + "/")
            out[url] = dt.date.fromisoformat(str(meta["last_reviewed"]))
    return out


def test_the_landing_page_says_what_the_hub_is_and_offers_every_way_in(page, live_server):
    page.goto(live_server + "/", wait_until="networkidle")
    summary = page.locator("article .admonition.summary p:not(.admonition-title)").inner_text()
    assert len(re.findall(r"[.!?](\s|$)", summary.strip())) == 2, summary  # two sentences
    assert page.get_by_role("search", name="Search or ask the hub").is_visible()
    assert page.get_by_label("Search the hub or ask a question").is_visible()
    assert page.get_by_role("button", name="Ask", exact=True).is_visible()
    cards = page.locator("article .grid.cards > ul > li")
    assert cards.count() == len(CARDS)
    for name, url in CARDS.items():
        link = cards.get_by_role("link", name=name, exact=True)
        assert link.get_attribute("href").rstrip("/").endswith(url.strip("/")), name
        assert page.request.get(live_server + url).ok, url


def test_recently_reviewed_lists_the_newest_pages_from_their_front_matter(page, live_server):
    dates = front_matter_dates()
    page.goto(live_server + "/")
    items = page.locator("#recently-reviewed-pages + ul > li")
    assert items.count() >= 3
    shown = []
    for item in items.all():
        href = item.get_by_role("link").get_attribute("href")
        url = "/" + href.lstrip("./")
        day = dt.datetime.strptime(item.inner_text().rsplit("reviewed ", 1)[1].strip(), "%d %B %Y").date()
        assert dates[url] == day, f"{url} says reviewed {day}; its front matter says {dates[url]}"
        shown.append((url, day))
    assert [d for _, d in shown] == sorted((d for _, d in shown), reverse=True)
    assert "/" not in {u for u, _ in shown}, "the landing page lists itself"
    oldest = shown[-1][1]
    newer = {u for u, d in dates.items() if d > oldest and u != "/"}
    assert newer <= {u for u, _ in shown}, f"pages reviewed later than the list shows: {newer - {u for u, _ in shown}}"


def test_the_box_searches_in_the_readers_words(page, live_server):
    page.goto(live_server + "/")
    box = page.get_by_label("Search the hub or ask a question")
    box.fill("who pays the investors back")
    box.press("Enter")
    page.wait_for_url("**/tools/search/?query=who+pays+the+investors+back", timeout=WAIT)
    page.locator("#hub-search-results .hub-result-link").first.wait_for(timeout=WAIT)


def test_ask_sends_the_words_to_the_chat_and_shows_a_cited_answer(page, live_server):
    page.goto(live_server + "/")
    page.get_by_label("Search the hub or ask a question").fill("who pays the investors back?")
    page.get_by_role("button", name="Ask", exact=True).click()
    assert page.locator("#hub-chat-dialog").is_visible()
    page.locator("#hub-chat-log .hub-chat-user", has_text="who pays the investors back?").wait_for(timeout=WAIT)
    page.locator("#hub-chat-log .hub-chat-bot .hub-chat-cite").first.wait_for(timeout=WAIT)


def test_ask_with_an_empty_box_opens_the_chat_ready_to_type(page, live_server):
    page.goto(live_server + "/")
    page.get_by_role("button", name="Ask", exact=True).click()
    assert page.locator("#hub-chat-dialog").is_visible()
    assert page.evaluate("document.activeElement.id") == "hub-chat-input"
    assert page.locator("#hub-chat-log .hub-chat-msg").count() == 0


def test_without_javascript_the_box_still_searches_and_hides_ask(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        assert not page.locator("#hub-front-ask").is_visible()  # Ask needs the chat script
        page.get_by_label("Search the hub or ask a question").fill("outcomes fund")
        page.get_by_role("button", name="Search", exact=True).click()
        page.wait_for_url("**/tools/search/?query=outcomes+fund", timeout=WAIT)
    finally:
        context.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_the_landing_page_fits_the_screen(browser, live_server, tmp_path: Path, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(live_server + "/", wait_until="networkidle")
        # Nothing wider than the screen (WCAG 1.4.10 reflow at 320 px) and the box's controls all in view.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for name in ("Search", "Ask"):
            box = page.get_by_role("button", name=name, exact=True).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] >= 44, (name, box)
        field = page.get_by_label("Search the hub or ask a question").bounding_box()
        assert field and field["height"] >= 44 and field["x"] + field["width"] <= width
        page.screenshot(path=str(tmp_path / f"landing-{width}.png"), full_page=True)  # for a person to look at
    finally:
        context.close()
