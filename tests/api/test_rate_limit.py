"""Rate limits per client address: separate budgets, a 429 in the one error shape, Retry-After."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from devtools.local_server import serve_in_thread
from search_api import create_app
from search_api.web.ratelimit import LIMITED_PATHS
from tests.conftest import FakeEncoder, reread

ASK = {"question": "what is a social impact bond?"}


def limited_app(settings, **config):
    """A fast app with rate limiting on and the given limits."""
    base = {"TESTING": True, "SETTINGS": settings, "ENCODER_FACTORY": FakeEncoder, "RATELIMIT_ENABLED": True}
    return create_app({**base, **config})


def assert_rate_limited(resp) -> int:
    """A 429 in the one JSON error shape whose message and Retry-After agree; returns the seconds."""
    assert resp.status_code == 429
    assert resp.mimetype == "application/json"
    err = resp.get_json()["error"]
    assert err["code"] == "rate_limited"
    retry = int(resp.headers["Retry-After"])
    assert 1 <= retry <= 61
    assert re.search(rf"Try again in {retry} seconds?\.", err["message"]), err["message"]
    return retry


def test_search_is_limited_per_address_with_retry_after(tmp_hub):
    client = limited_app(tmp_hub, RATELIMIT_SEARCH="3/minute").test_client()
    for _ in range(3):
        assert client.get("/api/search?q=investors").status_code == 200
    assert_rate_limited(client.get("/api/search?q=investors"))
    # Search and its filters share one budget.
    assert_rate_limited(client.get("/api/search/filters"))
    # Another address has its own budget.
    other = client.get("/api/search?q=investors", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_search_ask_and_feedback_have_separate_budgets(tmp_hub):
    app = limited_app(tmp_hub, RATELIMIT_SEARCH="1/minute", RATELIMIT_ASK="2/minute", RATELIMIT_FEEDBACK="1/minute")
    client = app.test_client()
    assert client.get("/api/search/filters").status_code == 200
    assert_rate_limited(client.get("/api/search/filters"))
    # Search is spent; ask and feedback are not.
    assert client.post("/api/ask", json=ASK).status_code == 200
    # A bad request costs as much as a good one: a flood of junk is limited too.
    assert client.post("/api/ask", json={}).status_code == 400
    assert_rate_limited(client.post("/api/ask", json=ASK))
    assert client.post("/api/feedback", json={"rating": "up"}).status_code in (200, 201)
    assert_rate_limited(client.post("/api/feedback", json={"rating": "up"}))
    # Endpoints without a limit keep answering.
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/feasibility/questions").status_code == 200


def test_every_limited_path_is_a_real_route_and_limited(tmp_hub):
    app = limited_app(tmp_hub, RATELIMIT_SEARCH="0/minute", RATELIMIT_ASK="0/minute", RATELIMIT_FEEDBACK="0/minute")
    client = app.test_client()
    for path in LIMITED_PATHS:
        method = client.get if path.startswith("/api/search") else client.post
        assert_rate_limited(method(path, json={}) if method == client.post else method(path))


def test_each_app_has_its_own_counters(tmp_hub):
    first = limited_app(tmp_hub, RATELIMIT_SEARCH="1/minute").test_client()
    second = limited_app(tmp_hub, RATELIMIT_SEARCH="1/minute").test_client()
    assert first.get("/api/search/filters").status_code == 200
    assert first.get("/api/search/filters").status_code == 429
    assert second.get("/api/search/filters").status_code == 200


def test_a_spoofed_x_forwarded_for_is_ignored_by_default(tmp_hub):
    client = limited_app(tmp_hub, RATELIMIT_SEARCH="2/minute").test_client()
    for i in range(2):
        assert client.get("/api/search/filters", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code == 200
    resp = client.get("/api/search/filters", headers={"X-Forwarded-For": "203.0.113.99"})
    assert_rate_limited(resp)


def test_x_forwarded_for_is_honoured_behind_one_proxy(tmp_hub):
    app = limited_app(tmp_hub, RATELIMIT_SEARCH="1/minute", PROXY_HOPS=1)
    client = app.test_client()
    # The proxy appends the real client address last; anything before it is the client's claim.
    hdr = {"X-Forwarded-For": "198.51.100.1, 203.0.113.5"}
    assert client.get("/api/search/filters", headers=hdr).status_code == 200
    assert_rate_limited(client.get("/api/search/filters", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.5"}))
    # Another real client behind the same proxy (same REMOTE_ADDR) has its own budget.
    assert client.get("/api/search/filters", headers={"X-Forwarded-For": "203.0.113.6"}).status_code == 200


def test_environment_variables_configure_the_limiter(tmp_hub, monkeypatch):
    monkeypatch.setenv("SOP_RATELIMIT_ASK", "1/minute")
    monkeypatch.setenv("SOP_PROXY_HOPS", "1")
    base = {"TESTING": True, "SETTINGS": reread(tmp_hub), "ENCODER_FACTORY": FakeEncoder}
    app = create_app(base)
    assert app.config["RATELIMIT_ENABLED"] is True and app.config["PROXY_HOPS"] == 1
    client = app.test_client()
    assert client.post("/api/ask", json=ASK, headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 200
    assert_rate_limited(client.post("/api/ask", json=ASK, headers={"X-Forwarded-For": "203.0.113.1"}))
    assert client.post("/api/ask", json=ASK, headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 200

    monkeypatch.setenv("SOP_RATELIMIT_ENABLED", "0")
    off = create_app({**base, "SETTINGS": reread(tmp_hub)}).test_client()
    assert all(off.post("/api/ask", json=ASK).status_code == 200 for _ in range(3))


def test_a_bad_limit_or_storage_fails_at_start_with_a_clear_message(tmp_hub):
    with pytest.raises(ValueError, match="RATELIMIT_ASK"):
        limited_app(tmp_hub, RATELIMIT_ASK="lots")
    # A storage URL no backend understands stops the server and says what would work.
    with pytest.raises(RuntimeError, match="memory:// or redis://"):
        limited_app(tmp_hub, RATELIMIT_STORAGE_URI="nosuch://127.0.0.1:1")


def test_broken_limit_storage_never_turns_into_a_500(tmp_hub):
    app = limited_app(tmp_hub, RATELIMIT_SEARCH="2/minute")
    limiter = app.extensions["sop_limiter"]

    class Down:
        """Shared storage that has gone away (e.g. Redis restarting)."""

        base_exceptions = ConnectionError

        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("storage down")

            return fail

    limiter.limiter.storage = Down()
    client = app.test_client()
    # The in-memory fallback keeps counting, so the limit still holds.
    assert [client.get("/api/search/filters").status_code for _ in range(3)] == [200, 200, 429]


# --- the real stack: real model, index and site, over HTTP -------------------------------


@pytest.fixture
def real_limited(real_app):
    """A second real app (sharing the loaded model and index) with low limits, served over HTTP."""
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": True, "RATELIMIT_ASK": "2/minute"})
    app.extensions["sop"] = real_app.extensions["sop"]
    with serve_in_thread(app) as url:
        yield url


def _post(url: str, body: dict, headers: dict | None = None):
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read())


def test_real_ask_is_limited_over_http(real_limited):
    question = {"question": "who pays the investors back?"}
    for _ in range(2):
        status, _, body = _post(real_limited + "/api/ask", question)
        assert status == 200 and "answered" in body
    # A spoofed X-Forwarded-For does not help: the server has no proxy in front.
    status, headers, body = _post(real_limited + "/api/ask", question, {"X-Forwarded-For": "198.51.100.9"})
    assert status == 429
    assert body["error"]["code"] == "rate_limited"
    assert 1 <= int(headers["Retry-After"]) <= 61
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")


@pytest.mark.browser
def test_the_chat_widget_tells_a_throttled_reader_when_to_retry(page, real_limited):
    page.goto(real_limited + "/guidance/")
    page.get_by_role("button", name="Ask a question").click()
    box = page.get_by_label("Your question")
    bot = page.locator("#hub-chat-log .hub-chat-bot")
    for n, question in enumerate(["who pays the investors back?", "what is an outcomes fund?"], start=1):
        box.fill(question)
        box.press("Enter")
        bot.nth(n - 1).wait_for(timeout=30000)
    box.fill("what is a social impact bond?")
    box.press("Enter")
    status = page.locator("#hub-chat-status")
    status.filter(has_text=re.compile(r"Try again in \d+ seconds?\.")).wait_for(timeout=30000)
