"""Security headers on real responses; the CSP's script hashes cover every inline script."""

from __future__ import annotations

import importlib.util
import json
import logging
import urllib.request

from search_api import create_app
from search_api.config import ROOT
from search_api.index.sources import source_files
from search_api.web.security import API_POLICY, CSP_FILE, site_policy
from tests.conftest import SITE, FakeEncoder

_spec = importlib.util.spec_from_file_location("csp_hook", ROOT / "hooks" / "csp.py")
csp_hook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(csp_hook)

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def directives(policy: str) -> dict[str, list[str]]:
    """A CSP header as {directive: [sources]}."""
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_site_headers(headers) -> dict[str, list[str]]:
    for name, value in COMMON.items():
        assert headers[name] == value, name
    csp = directives(headers["Content-Security-Policy"])
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "*" not in csp["script-src"] and "data:" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    return csp


def assert_api_headers(headers) -> None:
    for name, value in COMMON.items():
        assert headers[name] == value, name
    assert headers["Content-Security-Policy"] == API_POLICY
    csp = directives(API_POLICY)
    assert csp["default-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]


def test_fast_app_site_and_api_headers(client):
    page = client.get("/")
    assert page.status_code == 200
    assert_site_headers(page.headers)
    for resp in (client.get("/api/health"), client.get("/api/nope"), client.post("/api/ask", json={})):
        assert resp.mimetype == "application/json"
        assert_api_headers(resp.headers)
    assert "Strict-Transport-Security" not in page.headers  # plain HTTP: never promise HTTPS


def test_hsts_only_over_https(client):
    resp = client.get("/", base_url="https://hub.example")
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")


def test_site_policy_follows_the_hashes_file_and_its_rebuilds(tmp_hub):
    app = create_app({"TESTING": True, "SETTINGS": tmp_hub, "ENCODER_FACTORY": FakeEncoder, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    # No hashes file: inline scripts are simply not allowed.
    assert directives(client.get("/").headers["Content-Security-Policy"])["script-src"] == ["'self'"]
    target = tmp_hub.site_dir / CSP_FILE
    target.write_text(json.dumps({"script_hashes": ["sha256-AAAA"]}), encoding="utf-8")
    assert "'sha256-AAAA'" in directives(client.get("/").headers["Content-Security-Policy"])["script-src"]
    target.write_text(json.dumps({"script_hashes": ["sha256-BBBB"]}), encoding="utf-8")
    import os

    os.utime(target, ns=(1, 2_000_000_000_000_000_000))  # a rebuild: the mtime changes
    script_src = directives(client.get("/").headers["Content-Security-Policy"])["script-src"]
    assert "'sha256-BBBB'" in script_src and "'sha256-AAAA'" not in script_src


def test_hook_hashes_inline_scripts_and_flags_inline_handlers(tmp_path, caplog):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text(
        '<script>var x=1;</script><script type="application/json">{"a":1}</script>'
        '<script src="x.js"></script><p title="click onward=now" data-on="x">ok</p>',
        encoding="utf-8",
    )
    (site / "a" / "index.html").write_text(
        '<script type="module">\nimport "./m.js";\n</script><button onclick="go()">Go</button><a href="javascript:void(0)">x</a>',
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="mkdocs.hooks.csp"):
        csp_hook.on_post_build({"site_dir": str(site), "extra": {"ask_api": "https://api.hub.example/api/"}})
    data = json.loads((site / CSP_FILE).read_text(encoding="utf-8"))
    # Known values: `printf 'var x=1;' | openssl dgst -sha256 -binary | base64`.
    assert data["script_hashes"] == sorted(
        ["sha256-hY782Iu6H/g1I2gZmb4nWf3mmxS9Tfhe+dnlwYVVuDs=", csp_hook.script_hash('\nimport "./m.js";\n')]
    )
    assert data["pages_scanned"] == 2
    assert "https://api.hub.example" in directives(data["policy"])["connect-src"]
    warnings = " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
    assert "onclick attribute" in warnings and "javascript: URL" in warnings
    # Only the page that has them: words in attribute values are not handlers.
    assert all(r.getMessage().startswith("a/index.html:") for r in caplog.records if r.levelno >= logging.WARNING)


def test_hook_and_policy_module_are_site_sources():
    """Changing the hook or the policy must make `--if-stale` rebuild the site."""
    files = source_files(ROOT)
    for path in ("hooks/csp.py", "search_api/web/security.py"):
        assert ROOT / path in files, path
    hooks = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("hooks:")[1].split("plugins:")[0]
    entries = [line.strip("- ").strip() for line in hooks.splitlines() if line.strip().startswith("- ")]
    assert entries[-1] == "hooks/csp.py", "the CSP hook must run last, after every hook that writes HTML"


# --- the real built site, app and HTTP server --------------------------------------------


def test_built_site_hashes_cover_every_inline_script_and_no_inline_handler_remains():
    data = json.loads((SITE / CSP_FILE).read_text(encoding="utf-8"))
    hashes = set(data["script_hashes"])
    pages = sorted(SITE.rglob("*.html"))
    assert data["pages_scanned"] == len(pages)
    found = set()
    for path in pages:
        html = path.read_text(encoding="utf-8")
        found |= csp_hook.inline_script_hashes(html)
        assert not csp_hook.blocked_inline_code(html), path
    assert found and found == hashes
    assert data["policy"] == site_policy(hashes)


def test_real_app_headers(real_app):
    client = real_app.test_client()
    data = json.loads((SITE / CSP_FILE).read_text(encoding="utf-8"))
    for path in ("/", "/guidance/what-is-an-sop/", "/projects/", "/no-such-page/"):
        csp = assert_site_headers(client.get(path).headers)
        assert {f"'{h}'" for h in data["script_hashes"]} <= set(csp["script-src"])
    assert_api_headers(client.get("/api/health").headers)
    assert_api_headers(client.get("/api/search?q=outcomes").headers)


def test_live_server_headers_over_http(live_server):
    with urllib.request.urlopen(live_server + "/tools/search/", timeout=30) as resp:
        assert_site_headers(resp.headers)
        assert "onsubmit" not in resp.read().decode()
    with urllib.request.urlopen(live_server + "/api/feasibility/questions", timeout=30) as resp:
        assert_api_headers(resp.headers)
