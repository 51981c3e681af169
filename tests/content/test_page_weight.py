"""Page weight: the home page stays within 500 KB before the reader interacts (a size budget, not a timing).

Measured in Debian chromium against the real app, as scripts/page_weight.py does. Two things
keep pages light, and both are tested here: the server gzips text files, and Material's
2.5 MB search index loads only when the reader opens search without the hub's API (never with it).
"""

from __future__ import annotations

import gzip

import pytest

from tests.support import content_site as cs

page_weight = cs.load_script("page_weight")

HOME_BUDGET_BYTES = 500_000  # 500 KB, counted as 1 KB = 1,000 bytes (the stricter reading)
INDEX = "/search/search_index.json"


# --- gzip for the site's text files (fast app, temp site) -----------------------------------


@pytest.fixture
def site_files(app):
    site = app.extensions["sop"].settings.site_dir
    (site / "big.json").write_text('{"k": "' + "social outcomes " * 400 + '"}', encoding="utf-8")
    (site / "tiny.css").write_text("a{}", encoding="utf-8")
    (site / "pic.png").write_bytes(b"\x89PNG" + bytes(4000))
    return site


def test_text_files_are_gzipped_when_the_browser_accepts_it(client, site_files):
    r = client.get("/big.json", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in r.headers["Vary"] and r.mimetype == "application/json"
    assert gzip.decompress(r.data) == (site_files / "big.json").read_bytes()
    assert int(r.headers["Content-Length"]) < (site_files / "big.json").stat().st_size / 4
    again = client.get("/big.json", headers={"Accept-Encoding": "gzip", "If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


def test_no_gzip_without_accept_encoding_or_for_small_and_binary_files(client, site_files):
    plain = client.get("/big.json")
    assert "Content-Encoding" not in plain.headers and plain.data == (site_files / "big.json").read_bytes()
    for path in ("/tiny.css", "/pic.png"):
        r = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200 and "Content-Encoding" not in r.headers, path


def test_content_named_bundles_are_cached_for_a_year_and_the_rest_revalidated(client, site_files):
    (site_files / "main.57a0d79d.min.css").write_text("body{color:#000}" * 100, encoding="utf-8")
    for headers in ({"Accept-Encoding": "gzip"}, {}):
        bundle = client.get("/main.57a0d79d.min.css", headers=headers)
        assert bundle.status_code == 200
        cc = bundle.cache_control
        assert cc.immutable and cc.max_age == 31536000 and not cc.no_cache, bundle.headers
    other = client.get("/big.json", headers={"Accept-Encoding": "gzip"})
    assert other.cache_control.no_cache and not other.cache_control.immutable


def test_the_real_site_bundles_are_cached_and_its_pages_revalidated(real_app):
    client = real_app.test_client()
    home = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert home.cache_control.no_cache and not home.cache_control.max_age
    bundles = sorted((real_app.extensions["sop"].settings.site_dir / "assets").rglob("*.min.js"))
    hashed = [b for b in bundles if b.name.startswith("bundle.")]
    assert hashed, "Material's content-named bundle is missing from the built site"
    rel = hashed[0].relative_to(real_app.extensions["sop"].settings.site_dir).as_posix()
    assert client.get("/" + rel).cache_control.immutable


# --- the real site in the real browser -----------------------------------------------------


@pytest.mark.browser
def test_home_page_loads_no_more_than_500_kb_before_interaction(browser, live_server):
    w = page_weight.measure(browser, live_server, "home", "/")
    print(page_weight.table([w]))
    assert not w.failed, w.failed
    assert w.requests >= 5, "the measurement saw almost no requests"
    assert w.transfer_bytes <= HOME_BUDGET_BYTES, (
        f"the home page transfers {w.transfer_bytes:,} bytes before interaction; the budget is "
        f"{HOME_BUDGET_BYTES:,}. Largest: {w.largest}"
    )


@pytest.mark.browser
def test_search_index_loads_only_when_the_reader_opens_search(page, live_server):
    # Without the hub's API (a static host), the header box is Material's search: its index loads then.
    page.route("**/api/**", lambda route: route.abort())
    requested: list[str] = []
    page.context.on("request", lambda r: requested.append(r.url))
    page.goto(live_server + "/", wait_until="networkidle")
    assert not [u for u in requested if u.endswith(INDEX)], "the search index loaded before anyone searched"
    page.keyboard.press("/")  # Material's shortcut; a click on the search box does the same
    page.keyboard.type("Peterborough")
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=20000)
    assert results.count() > 0 and [u for u in requested if u.endswith(INDEX)]


@pytest.mark.browser
def test_with_the_api_the_search_index_never_loads(page, live_server):
    requested: list[str] = []
    page.context.on("request", lambda r: requested.append(r.url))
    page.goto(live_server + "/", wait_until="networkidle")
    page.keyboard.press("/")
    page.keyboard.type("Peterborough")
    page.locator(".md-search-result .hub-hs-snippet").first.wait_for(timeout=20000)
    page.wait_for_load_state("networkidle")
    assert [u for u in requested if "/api/search?" in u]
    assert not [u for u in requested if u.endswith(INDEX)], "the hub's results came, yet Material's index loaded"


@pytest.mark.browser
def test_a_page_opened_from_a_search_result_still_highlights(page, live_server):
    requested: list[str] = []
    page.context.on("request", lambda r: requested.append(r.url))
    page.goto(live_server + "/case-studies/peterborough/?h=reoffending", wait_until="networkidle")
    assert [u for u in requested if u.endswith(INDEX)], "highlighting needs the index at once"
    page.locator("article mark").first.wait_for(timeout=20000)
