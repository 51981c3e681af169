"""The search box at the top of every page: the hub's hybrid search with the API up, Material's without it.

With the API up this runs against the real Flask server, model and index (the session's live_server);
with it down, the browser is cut off from /api/ and Material's own keyword search must answer.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

pytestmark = pytest.mark.browser
WAIT = 30000
INDEX = "/search/search_index.json"
QUESTION = "did Peterborough reduce reoffending"


def requests_of(page) -> list[str]:
    seen: list[str] = []
    page.context.on("request", lambda r: seen.append(r.url))
    return seen


def open_search(page, url: str, words: str) -> None:
    page.goto(url, wait_until="networkidle")
    # A click, not the / shortcut: on a busy machine a key pressed before Material listens is lost.
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(words, delay=15)


def wait_for_hub_results(page, words: str) -> None:
    """Wait for the results of all the words: on a busy machine a pause while typing shows a part first."""
    full = "/tools/search/?" + urllib.parse.urlencode({"query": words})
    page.locator(f'.md-search-result .hub-hs-all a[href="{full}"]').wait_for(timeout=WAIT)


def api_results(base: str, words: str) -> list[dict]:
    """What the real API answers for the same words and k, to compare with what the box shows."""
    query = urllib.parse.urlencode({"q": words, "k": 8})
    with urllib.request.urlopen(f"{base}/api/search?{query}", timeout=60) as resp:
        return json.load(resp)["results"]


def test_with_the_api_the_header_box_shows_hub_results_as_you_type(page, live_server):
    seen = requests_of(page)
    open_search(page, live_server + "/", QUESTION)
    items = page.locator(".md-search-result__list .md-search-result__item")
    wait_for_hub_results(page, QUESTION)
    expected = api_results(live_server, QUESTION)
    assert expected, "the real API found nothing"
    # One item a section, in the API's order (page title, section, snippet), then the full results link.
    assert items.count() == len(expected) + 1
    hrefs = page.eval_on_selector_all(".md-search-result__list a", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs[:-1] == [r["url"] for r in expected]
    first = items.first
    assert first.locator("h1").inner_text() == expected[0]["title"]
    if expected[0]["section"] != expected[0]["title"]:
        assert first.locator(".hub-hs-section").inner_text() == expected[0]["section"]
    assert first.locator(".hub-hs-snippet").inner_text().strip() == expected[0]["snippet"].strip()
    assert page.locator(".md-search-result .hub-hs-snippet mark").count() > 0
    assert "matching section" in page.locator(".md-search-result__meta").inner_text()
    assert hrefs[-1] == "/tools/search/?" + urllib.parse.urlencode({"query": QUESTION})
    # Hub results never needed Material's 2.5 MB keyword index.
    assert [u for u in seen if "/api/search?" in u] and not [u for u in seen if u.endswith(INDEX)]


def test_arrows_move_through_hub_results_and_enter_opens_the_best(page, live_server):
    open_search(page, live_server + "/guidance/what-is-an-sop/", QUESTION)
    wait_for_hub_results(page, QUESTION)
    links = page.eval_on_selector_all(".md-search-result__list a", "links => links.map(a => a.getAttribute('href'))")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == links[0]
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == links[1]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    # Up from the box wraps to the last item: the link to the full results page.
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.getAttribute('href')") == links[-1]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # back in the box: Enter opens the best result
    page.wait_for_url(lambda url: url.endswith(links[0]), timeout=WAIT)
    anchor = links[0].partition("#")[2]
    if anchor:
        assert page.locator(f"[id='{anchor}']").count() == 1


def test_the_full_results_link_opens_the_search_page_with_the_same_words(page, live_server):
    open_search(page, live_server + "/", "who pays the investors back")
    wait_for_hub_results(page, "who pays the investors back")
    page.locator(".md-search-result .hub-hs-all a").click()
    page.wait_for_url("**/tools/search/?query=who+pays+the+investors+back", timeout=WAIT)
    page.locator("#hub-search-results .hub-result-link").first.wait_for(timeout=WAIT)
    assert page.get_by_label("Your question or keywords").input_value() == "who pays the investors back"


def test_without_the_api_the_box_falls_back_to_material_search(page, live_server):
    seen = requests_of(page)
    page.route("**/api/**", lambda route: route.abort())
    open_search(page, live_server + "/", "glossary")
    result = page.locator(".md-search-result__item").first
    result.wait_for(timeout=WAIT)
    # Material's own results: its index loaded, its markup, none of the hub's.
    assert [u for u in seen if u.endswith(INDEX)]
    assert page.locator(".md-search-result .hub-hs-snippet, .md-search-result .hub-hs-all").count() == 0
    assert "Glossary" in page.locator(".md-search-result").inner_text()
    assert "matching document" in page.locator(".md-search-result__meta").inner_text()
    # Typing on still searches with Material, not the unreachable API.
    page.locator("input.md-search__input").fill("")
    page.locator("input.md-search__input").press_sequentially("Peterborough", delay=15)
    page.locator(".md-search-result__item", has_text="Peterborough").first.wait_for(timeout=WAIT)


def test_an_api_that_cannot_search_also_falls_back(page, live_server):
    """A 503 (no index on the server) is not the reader's problem: Material's search answers instead."""
    body = json.dumps({"error": {"code": "index_unavailable", "message": "The search index is not available."}})
    page.route("**/api/search?*", lambda route: route.fulfill(status=503, content_type="application/json", body=body))
    open_search(page, live_server + "/", "glossary")
    page.locator(".md-search-result__item").first.wait_for(timeout=WAIT)
    assert page.locator(".md-search-result .hub-hs-snippet").count() == 0
    assert "Glossary" in page.locator(".md-search-result").inner_text()
