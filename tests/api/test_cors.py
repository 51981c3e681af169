"""CORS: only configured origins, only /api/, never with credentials; preflights answered."""

from __future__ import annotations

import pytest

from devtools.local_server import serve_in_thread
from search_api import create_app
from tests.conftest import FakeEncoder, reread

ALLOWED = "https://council.example"
OTHER = "https://evil.example"
CORS_HEADERS = ("Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers")


def cors_client(settings, origins):
    config = {"TESTING": True, "SETTINGS": settings, "ENCODER_FACTORY": FakeEncoder, "RATELIMIT_ENABLED": False}
    if origins is not None:
        config["CORS_ORIGINS"] = origins
    return create_app(config).test_client()


def preflight(client, path, origin, method="POST"):
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type",
    }
    return client.options(path, headers=headers)


def no_cors(resp) -> bool:
    return not any(h in resp.headers for h in CORS_HEADERS) and "Access-Control-Allow-Credentials" not in resp.headers


def test_no_origin_is_allowed_by_default(tmp_hub, monkeypatch):
    monkeypatch.delenv("SOP_CORS_ORIGINS", raising=False)
    client = cors_client(tmp_hub, None)
    assert no_cors(client.get("/api/health", headers={"Origin": ALLOWED}))
    resp = preflight(client, "/api/ask", ALLOWED)
    assert no_cors(resp)  # a 204 may still come (plain OPTIONS), but with no CORS grant


def test_an_allowed_origin_may_read_api_responses_without_credentials(tmp_hub):
    client = cors_client(tmp_hub, f"{ALLOWED}/, https://other-council.example")
    resp = client.get("/api/search?q=investors", headers={"Origin": ALLOWED, "Cookie": "session=x"})
    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in resp.headers["Vary"]
    assert "Retry-After" in resp.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in resp.headers
    # Errors carry the header too, so a page can read the message.
    err = client.post("/api/ask", json={}, headers={"Origin": ALLOWED})
    assert err.status_code == 400 and err.headers["Access-Control-Allow-Origin"] == ALLOWED


def test_other_origins_and_site_pages_get_no_cors_headers(tmp_hub):
    client = cors_client(tmp_hub, [ALLOWED])
    resp = client.get("/api/health", headers={"Origin": OTHER})
    assert no_cors(resp)
    assert "Origin" in resp.headers["Vary"]  # a cache must not hand this answer to the allowed origin
    assert no_cors(client.get("/", headers={"Origin": ALLOWED}))
    # Origins match exactly: scheme, host and port.
    assert no_cors(client.get("/api/health", headers={"Origin": "http://council.example"}))
    assert no_cors(client.get("/api/health", headers={"Origin": ALLOWED + ":8443"}))


def test_preflight_for_an_allowed_origin(tmp_hub):
    client = cors_client(tmp_hub, [ALLOWED])
    resp = preflight(client, "/api/ask", ALLOWED)
    assert resp.status_code == 204
    assert resp.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in resp.headers["Access-Control-Allow-Methods"].split(", ")
    assert "content-type" in resp.headers["Access-Control-Allow-Headers"].lower()
    assert int(resp.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in resp.headers
    get = preflight(client, "/api/search", ALLOWED, method="GET")
    assert get.status_code == 204 and "GET" in get.headers["Access-Control-Allow-Methods"]


def test_preflight_refused_for_other_origins_unknown_paths_and_the_site(tmp_hub):
    client = cors_client(tmp_hub, [ALLOWED])
    assert no_cors(preflight(client, "/api/ask", OTHER))
    unknown = preflight(client, "/api/no-such-endpoint", ALLOWED)
    assert unknown.status_code != 204 and "Access-Control-Allow-Methods" not in unknown.headers
    assert no_cors(preflight(client, "/", ALLOWED, method="GET"))


def test_a_star_allows_any_origin_still_without_credentials(tmp_hub):
    client = cors_client(tmp_hub, "*")
    resp = client.get("/api/health", headers={"Origin": OTHER})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in resp.headers


def test_origins_come_from_the_environment(tmp_hub, monkeypatch):
    monkeypatch.setenv("SOP_CORS_ORIGINS", f"{ALLOWED}, https://b.example")
    client = cors_client(reread(tmp_hub), None)
    assert (
        client.get("/api/health", headers={"Origin": "https://b.example"}).headers["Access-Control-Allow-Origin"]
        == "https://b.example"
    )
    assert no_cors(client.get("/api/health", headers={"Origin": OTHER}))


def test_a_rate_limited_answer_is_readable_cross_origin(tmp_hub):
    config = {"TESTING": True, "SETTINGS": tmp_hub, "ENCODER_FACTORY": FakeEncoder, "CORS_ORIGINS": [ALLOWED]}
    client = create_app({**config, "RATELIMIT_ENABLED": True, "RATELIMIT_SEARCH": "1/minute"}).test_client()
    client.get("/api/search/filters", headers={"Origin": ALLOWED})
    resp = client.get("/api/search/filters", headers={"Origin": ALLOWED})
    assert resp.status_code == 429
    assert resp.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Retry-After" in resp.headers["Access-Control-Expose-Headers"]


# --- a real browser on another origin calling the real API ------------------------------


@pytest.fixture
def two_origins(real_app):
    """A page on one origin and the real API (CORS allowing that origin) on another port."""
    from flask import Flask

    other = Flask("other_site")
    other.add_url_rule("/", "home", lambda: "<!doctype html><title>Council site</title><p>Council site</p>")
    with serve_in_thread(other) as page_url:
        api = create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "CORS_ORIGINS": [page_url]})
        api.extensions["sop"] = real_app.extensions["sop"]
        with serve_in_thread(api) as api_url:
            yield page_url, api_url, api


FETCH = """async ([url, init]) => {
  try { const r = await fetch(url, init); return {status: r.status, body: await r.json()}; }
  catch (e) { return {error: String(e)}; }
}"""


@pytest.mark.browser
def test_a_browser_on_an_allowed_origin_can_call_the_api_and_others_cannot(page, two_origins):
    page_url, api_url, api = two_origins
    page.goto(page_url + "/")
    got = page.evaluate(FETCH, [api_url + "/api/search/filters", {}])
    assert got.get("status") == 200 and "filters" in got["body"], got
    # A JSON POST needs a preflight; the browser makes it for real.
    body = '{"answers": {"outcome_measurable": "yes"}}'
    init = {"method": "POST", "headers": {"Content-Type": "application/json"}, "body": body}
    got = page.evaluate(FETCH, [api_url + "/api/feasibility", init])
    # Unanswered questions count as "not sure yet", so one answer is a complete, valid request.
    assert got.get("status") == 200 and "verdict" in got["body"], got
    # Credentials are never allowed, so a fetch that sends them is blocked by the browser.
    got = page.evaluate(FETCH, [api_url + "/api/search/filters", {"credentials": "include"}])
    assert "error" in got, got
    # The same page is refused once its origin is no longer configured.
    api.config["CORS_ORIGINS"] = frozenset({"https://someone-else.example"})
    got = page.evaluate(FETCH, [api_url + "/api/search/filters", {"cache": "no-store"}])
    assert "error" in got, got


def test_plain_options_on_an_api_path_is_204_with_allow_and_no_html():
    client = create_app({"TESTING": True, "RATELIMIT_ENABLED": False}).test_client()
    resp = client.open("/api/ask", method="OPTIONS")
    assert resp.status_code == 204
    assert "POST" in resp.headers["Allow"] and "GET" not in resp.headers["Allow"]
    assert "text/html" not in resp.headers.get("Content-Type", "")
    assert resp.get_data() == b""
