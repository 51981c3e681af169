"""nginx in front, for real: deploy/nginx.conf serves site/ and passes /api/ to two gunicorn servers started as deploy/sophub.service.

Readers reach nginx over HTTPS on loopback; two readers come from two loopback addresses
(127.0.0.2 and 127.0.0.3), so SOP_PROXY_HOPS=1 must tell them apart behind the one proxy.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devtools.local_server import free_port
from search_api.config import ROOT
from search_api.web.nginx_conf import SITE_HEADERS, NginxValues, render
from tests.conftest import SITE, require_built
from tests.support.deploy_tools import Gunicorn, client_tls, self_signed_cert, unit_command
from tests.support.services import Nginx

# The module starts nginx and two servers once: its tests share one pytest-xdist worker (`--dist loadgroup`).
pytestmark = [pytest.mark.model, pytest.mark.xdist_group("nginx")]
API_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")
PAGES = ["/", "/guidance/", "/tools/feasibility-assessor/", "/no-such-page/"]


@dataclass
class Stack:
    nginx: int
    http: int
    api: int
    cert: Path
    feedback_url: str
    access_logs: list[Path] = field(default_factory=list)

    def logged(self) -> list[str]:
        """The access-log text of each API server."""
        return [p.read_text(encoding="utf-8") if p.exists() else "" for p in self.access_logs]

    def send(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None, source: str = "127.0.0.2"
    ) -> http.client.HTTPResponse:
        """One HTTPS request to nginx from the given loopback address."""
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.nginx, context=client_tls(self.cert), timeout=60, source_address=(source, 0)
        )
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        resp.body = resp.read()  # type: ignore[attr-defined]
        conn.close()
        return resp

    def direct(self, path: str) -> http.client.HTTPResponse:
        """The same path from gunicorn itself, as nginx would ask for it over HTTPS."""
        conn = http.client.HTTPConnection("127.0.0.1", self.api, timeout=60)
        conn.request("GET", path, headers={"X-Forwarded-For": "127.0.0.9", "X-Forwarded-Proto": "https"})
        resp = conn.getresponse()
        resp.body = resp.read()  # type: ignore[attr-defined]
        conn.close()
        return resp


@pytest.fixture(scope="module")
def stack(tmp_path_factory, postgres_server, redis_server):
    """nginx in front of two gunicorn servers (one worker each) sharing one PostgreSQL and one Redis."""
    require_built()
    tmp = tmp_path_factory.mktemp("nginx")
    argv, env, workdir = unit_command(ROOT / "deploy" / "sophub.service", ROOT)
    assert env["SOP_PROXY_HOPS"] == "1"
    feedback_url = postgres_server.new_database()
    redis_server.flush()
    servers = []
    for n in (1, 2):
        port = free_port()
        # What /etc/sophub.env would hold on each server, plus a free port and a low limit to test.
        env_file = {
            "SOP_PORT": str(port),
            "SOP_WORKERS": "1",
            "SOP_FEEDBACK_URL": feedback_url,
            "SOP_RATELIMIT_STORAGE_URL": redis_server.url,
            "SOP_RATELIMIT_SEARCH": "4/minute",
            "SOP_ACCESS_LOG": str(tmp / f"access-{n}.log"),
        }
        servers.append(Gunicorn(argv, {**os.environ, **env, **env_file}, workdir, port, tmp / f"gunicorn-{n}.log"))
    cert, key = self_signed_cert(tmp / "tls")
    port, http_port = free_port(), free_port()
    values = NginxValues(
        site_dir=SITE,
        apis=[f"127.0.0.1:{g.port}" for g in servers],
        server_name="127.0.0.1",
        listen=f"127.0.0.1:{port}",
        http_listen=f"127.0.0.1:{http_port}",
        cert=str(cert),
        key=str(key),
    )
    nginx = Nginx(tmp / "nginx", render(values), port)
    try:
        for g in servers:
            g.start()
        nginx.start()
        try:
            yield Stack(port, http_port, servers[0].port, cert, feedback_url, [tmp / f"access-{n}.log" for n in (1, 2)])
        finally:
            nginx.stop()
    finally:
        for g in servers:
            g.stop()


def test_the_filled_in_file_has_no_placeholder_left(stack):
    text = render(NginxValues(site_dir=SITE))
    assert not re.search(r"\{\{[A-Z_]+\}\}", text)
    assert text.count("add_header Content-Security-Policy") == 3  # the site's and two API error replies


@pytest.mark.parametrize("path", PAGES)
def test_pages_come_from_nginx_with_the_apps_security_headers(stack, path):
    via_nginx, from_app = stack.send("GET", path), stack.direct(path)
    assert via_nginx.status == from_app.status in (200, 404)
    assert via_nginx.getheader("Server", "").startswith("nginx")
    assert via_nginx.body == from_app.body  # the same built file
    for name in SITE_HEADERS:
        assert via_nginx.getheader(name) == from_app.getheader(name), name
    hashes = json.loads((SITE / "_hub" / "csp.json").read_text())["script_hashes"]
    assert hashes and all(f"'{h}'" in via_nginx.getheader("Content-Security-Policy") for h in hashes)


def test_search_chatbot_assessor_and_feedback_work_through_nginx(stack):
    search = stack.send("GET", "/api/search?q=who+pays+the+investors", source="127.0.0.4")
    assert search.status == 200 and json.loads(search.body)["results"]
    for name in API_HEADERS:
        assert search.getheader(name) == stack.direct("/api/search?q=who+pays+the+investors").getheader(name)
    assert search.getheader("Strict-Transport-Security")  # the app saw HTTPS through X-Forwarded-Proto
    js = {"Content-Type": "application/json"}
    ask = stack.send("POST", "/api/ask", json.dumps({"question": "What is a social impact bond?"}).encode(), js)
    assert ask.status == 200 and json.loads(ask.body)["answered"] is True
    assess = stack.send("POST", "/api/feasibility", json.dumps({"answers": {}}).encode(), js)
    assert assess.status == 200 and "verdict" in json.loads(assess.body)
    rated = stack.send("POST", "/api/feedback", json.dumps({"rating": "up", "route": "answered"}).encode(), js)
    assert rated.status == 201
    import psycopg

    with psycopg.connect(stack.feedback_url) as conn:
        row = conn.execute(
            "SELECT rating, route FROM feedback WHERE id = %s", (json.loads(rated.body)["id"],)
        ).fetchone()
    assert row == ("up", "answered")


def test_two_readers_behind_nginx_have_separate_rate_limits(stack):
    path = "/api/search/filters"
    first = [stack.send("GET", path, source="127.0.0.2").status for _ in range(4)]
    assert first == [200] * 4
    # Over the limit, and a made-up X-Forwarded-For does not help: nginx appends the real address.
    spoofed = stack.send("GET", path, headers={"X-Forwarded-For": "198.51.100.7"}, source="127.0.0.2")
    assert spoofed.status == 429 and json.loads(spoofed.body)["error"]["code"] == "rate_limited"
    assert int(spoofed.getheader("Retry-After")) >= 1
    assert stack.send("GET", path, source="127.0.0.3").status == 200
    # nginx sent reader one's requests to both servers, yet the budget was 4, not 8: shared in Redis.
    assert all('"GET /api/search/filters" 200' in log for log in stack.logged())


def test_the_body_limit_holds_at_nginx_in_the_apis_error_shape(stack):
    big = json.dumps({"question": "x" * 70_000}).encode()
    resp = stack.send("POST", "/api/ask", big, {"Content-Type": "application/json"})
    assert resp.status == 413 and resp.getheader("Content-Type") == "application/json"
    assert json.loads(resp.body) == {
        "error": {"code": "payload_too_large", "message": "The data value transmitted exceeds the capacity limit."}
    }
    small = stack.send("POST", "/api/ask", b"{not json", {"Content-Type": "application/json"})
    assert small.status == 400  # the app's own answer, logged by gunicorn
    # gunicorn writes its access line just after the reply: wait (a bounded few seconds) for it.
    deadline = time.monotonic() + 10
    logs = "".join(stack.logged())
    while '"POST /api/ask" 400' not in logs and time.monotonic() < deadline:
        time.sleep(0.1)
        logs = "".join(stack.logged())
    # nginx refused the large one: neither gunicorn server read those 70 KB.
    assert '"POST /api/ask" 400' in logs and '"POST /api/ask" 413' not in logs


def test_plain_http_is_redirected_to_https(stack):
    conn = http.client.HTTPConnection("127.0.0.1", stack.http, timeout=30)
    conn.request("GET", "/guidance/")
    resp = conn.getresponse()
    assert resp.status == 301 and resp.getheader("Location").startswith("https://127.0.0.1")
    conn.close()


def test_api_down_is_a_json_503_from_nginx(stack, tmp_path):
    cert = stack.cert
    port = free_port()
    values = NginxValues(
        site_dir=SITE,
        apis=[f"127.0.0.1:{free_port()}"],
        server_name="127.0.0.1",
        listen=f"127.0.0.1:{port}",
        http_listen=f"127.0.0.1:{free_port()}",
        cert=str(cert),
        key=str(cert.with_name("key.pem")),
    )
    nginx = Nginx(tmp_path / "nginx", render(values), port)
    nginx.start()
    try:
        down = Stack(port, 0, 0, cert, "")
        resp = down.send("GET", "/api/search?q=bond")
        assert resp.status == 503 and json.loads(resp.body)["error"]["code"] == "unavailable"
        assert resp.getheader("Retry-After") == "30"
        assert down.send("GET", "/").status == 200  # the site itself needs no API
    finally:
        nginx.stop()
