"""A reader uses the search page in a real browser."""

import json

import pytest

from search_api.search.degraded import SEARCH_NOTICE

pytestmark = pytest.mark.browser


def test_typing_a_question_shows_results_and_follows_to_the_anchor(page, live_server):
    page.goto(live_server + "/tools/search/")
    box = page.get_by_label("Your question or keywords")
    box.press_sequentially("did Peterborough reduce reoffending", delay=20)
    first = page.locator("#hub-search-results .hub-result-link").first
    first.wait_for(timeout=15000)
    assert page.locator("#hub-search-results mark").count() > 0
    href = first.get_attribute("href")
    assert href.startswith("/")
    # Keyboard: arrow down from the box reaches the first result.
    box.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == href
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.endswith(href), timeout=15000)
    path, _, anchor = href.partition("#")
    if anchor:
        assert page.locator(f"[id='{anchor}']").count() == 1


def test_search_page_says_when_the_api_is_unreachable(page, live_server):
    page.route("**/api/**", lambda route: route.abort())
    page.goto(live_server + "/tools/search/")
    page.get_by_label("Your question or keywords").press_sequentially("bonds", delay=10)
    status = page.locator("#hub-search-status")
    status.filter(has_text="not available").wait_for(timeout=10000)
    assert "search box at the top" in status.inner_text()


def test_a_shared_search_address_runs_the_search_without_opening_material_search(page, live_server):
    page.goto(live_server + "/tools/search/?query=who+pays+the+investors+back")
    page.locator("#hub-search-results .hub-result-link").first.wait_for(timeout=15000)
    assert page.get_by_label("Your question or keywords").input_value() == "who pays the investors back"
    # Material opens its own dialog for ?q=; the hub's parameter must not trigger it.
    assert not page.evaluate("document.querySelector('[data-md-toggle=search]').checked")


def test_the_address_follows_the_query_so_it_can_be_shared(page, live_server):
    page.goto(live_server + "/tools/search/")
    box = page.get_by_label("Your question or keywords")
    box.fill("outcome payments for homelessness")
    box.press("Enter")
    page.locator("#hub-search-results .hub-result-link").first.wait_for(timeout=15000)
    assert "query=outcome+payments+for+homelessness" in page.url


def test_degraded_search_says_results_match_words_only(page, live_server):
    """When the API falls back to BM25 it says so; the page passes that notice on to the reader."""
    notice = SEARCH_NOTICE

    def degraded(route):
        # The real answer, marked as the API marks a BM25 fallback (search_api/search/degraded.py).
        body = route.fetch().json()
        body.update(degraded=True, mode="bm25", notice=notice)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/api/search?*", degraded)
    page.goto(live_server + "/tools/search/?query=investors")
    page.locator("#hub-search-results .hub-result-link").first.wait_for(timeout=15000)
    assert notice in page.locator("#hub-search-status").inner_text()
