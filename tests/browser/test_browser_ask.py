"""A reader uses the chat widget in a real browser, on the real site, API, model and index."""

import json

import pytest

pytestmark = pytest.mark.browser


def _open_and_ask(page, question):
    page.get_by_role("button", name="Ask a question").click()
    assert page.evaluate("document.activeElement.id") == "hub-chat-input"
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Enter")


def test_asking_shows_a_cited_answer_that_leads_to_the_right_section(page, live_server):
    page.goto(live_server + "/guidance/what-is-an-sop/")
    _open_and_ask(page, "when did the Peterborough social impact bond start?")
    cite = page.locator("#hub-chat-log .hub-chat-bot .hub-chat-cite").first
    cite.wait_for(timeout=30000)
    answer = page.locator("#hub-chat-log .hub-chat-bot .hub-chat-sentence").all_inner_texts()
    assert any("2010" in s for s in answer), answer
    href = cite.get_attribute("href")
    label = cite.inner_text()
    assert href.startswith("/") and not href.startswith("//")
    cite.click()
    page.wait_for_url(lambda url: url.endswith(href), timeout=15000)
    path, _, anchor = href.partition("#")
    if anchor:
        heading = page.locator(f"[id='{anchor}']")
        assert heading.count() == 1
        section = label.split(" \u203a ")[-1].split(" > ")[-1]
        assert section.lower() in heading.inner_text().lower()
    else:
        assert label.split(" \u203a ")[0] in page.locator("h1").first.inner_text()
    # The conversation followed the reader to the new page, and the dialog is still open.
    log = page.locator("#hub-chat-log")
    log.get_by_text("when did the Peterborough social impact bond start?").wait_for(timeout=5000)
    # Escape closes the dialog and gives focus back to the button that opened it.
    page.get_by_label("Your question").focus()
    page.keyboard.press("Escape")
    assert page.locator("#hub-chat-dialog").is_hidden()
    assert page.evaluate("document.activeElement.id") == "hub-chat-open"


def test_server_text_is_shown_as_text_and_foreign_links_are_not_links(page, live_server):
    fake = {
        "answered": True,
        "route": "answered",
        "confidence": 0.9,
        "message": "",
        "answer": [
            {
                "text": "Investors pay first. <script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2>",
                "citation": {"title": "What is an SOP", "section": "How the money flows", "url": "javascript:alert(1)"},
            },
            {
                "text": "A second sentence.",
                "citation": {"title": "Elsewhere", "section": "Elsewhere", "url": "https://evil.example/x"},
            },
        ],
        "related": [{"title": "Protocol-relative", "url": "//evil.example/"}],
    }
    page.route(
        "**/api/ask",
        lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(fake)),
    )
    page.goto(live_server + "/")
    _open_and_ask(page, "how does the money flow?")
    sentence = page.locator("#hub-chat-log .hub-chat-sentence").first
    sentence.wait_for(timeout=10000)
    assert "<script>window.__pwned = 1</script>" in sentence.inner_text()
    assert page.locator("#hub-chat-log script, #hub-chat-log img").count() == 0
    assert page.evaluate("window.__pwned") is None
    hrefs = page.locator("#hub-chat-log a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert all(h.startswith("/") and not h.startswith("//") for h in hrefs), hrefs
    assert page.locator("#hub-chat-log .hub-chat-nolink").count() == 3


def test_thumbs_post_feedback_with_the_cited_urls(page, live_server):
    posted = []

    def capture(route):
        posted.append(json.loads(route.request.post_data))
        route.fulfill(status=201, content_type="application/json", body='{"stored": true, "id": 1}')

    page.route("**/api/feedback", capture)
    page.goto(live_server + "/")
    _open_and_ask(page, "who pays the investors back?")
    page.locator("#hub-chat-log .hub-chat-cite").first.wait_for(timeout=30000)
    page.get_by_role("button", name="Yes, this answer helped").click()
    page.locator("#hub-chat-status").filter(has_text="Thank you").wait_for(timeout=5000)
    assert posted and posted[0]["rating"] == "up"
    # The route the API gave (a passage or a written answer) travels with the rating.
    assert posted[0]["question"] == "who pays the investors back?" and posted[0]["route"] in {"answered", "authored"}
    assert posted[0]["answer_urls"] and all(u.startswith("/") for u in posted[0]["answer_urls"])
    assert page.get_by_role("button", name="Yes, this answer helped").get_attribute("aria-pressed") == "true"


def test_widget_says_so_when_the_api_cannot_be_reached(page, live_server):
    page.route("**/api/**", lambda route: route.abort())
    page.goto(live_server + "/")
    _open_and_ask(page, "what is a social impact bond?")
    status = page.locator("#hub-chat-status")
    status.filter(has_text="cannot be reached").wait_for(timeout=20000)
    assert page.locator("#hub-chat-form button[type=submit]").is_enabled()
