"""A person opens the served hub in a real browser."""

import pytest

pytestmark = pytest.mark.browser


def test_home_page_shows_what_the_hub_is(page, live_server):
    page.goto(live_server + "/")
    assert "Social Outcomes Partnerships hub" in page.title()
    h1 = page.locator("article h1").first
    assert h1.inner_text().replace("¶", "").strip() == "Social Outcomes Partnerships hub"
    assert page.locator("article h2", has_text="What a Social Outcomes Partnership is").is_visible()
    # The glossary abbreviation shows its expansion on hover.
    abbr = page.locator("article abbr").first
    if abbr.count():
        assert abbr.get_attribute("title")


def test_material_search_finds_a_page(page, live_server):
    # Material's keyword search is the header box's fallback when the hub's API cannot be reached.
    page.route("**/api/**", lambda route: route.abort())
    page.goto(live_server + "/")
    page.keyboard.press("/")
    box = page.locator("input.md-search__input")
    box.press_sequentially("glossary", delay=30)
    result = page.locator(".md-search-result__item").first
    result.wait_for(timeout=10000)
    assert "Glossary" in page.locator(".md-search-result").inner_text()
