"""Rate limits shared in a real redis-server: one budget for two gunicorn workers; Redis stopped and back."""

from __future__ import annotations

import http.client
import os
import re
import socket
import sys
from pathlib import Path

import pytest
import redis

from devtools.local_server import free_port
from search_api import create_app
from search_api.config import ROOT
from tests.conftest import FakeEncoder, require_built
from tests.support.deploy_tools import Gunicorn
from tests.support.fault_tools import wait_for

pytestmark = pytest.mark.model  # the gunicorn test preloads the real model and index


def limited(settings, url: str, search: str = "5/minute"):
    """A fast app whose search budget is counted in Redis at `url`."""
    settings.ratelimit_storage_url = url
    return create_app(
        {
            "TESTING": True,
            "SETTINGS": settings,
            "ENCODER_FACTORY": FakeEncoder,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_SEARCH": search,
        }
    )


def rate_part(client) -> dict:
    return client.get("/api/health").get_json()["components"]["rate_limits"]


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def test_two_gunicorn_workers_share_one_budget(redis_db, tmp_path):
    """With one connection per worker, worker A holds a request open while B answers others;
    then A answers too. In memory each worker would count alone; in Redis they count together."""
    require_built()
    port = free_port()
    log = tmp_path / "access.log"
    env = {
        **os.environ,
        "SOP_HOST": "127.0.0.1",
        "SOP_PORT": str(port),
        "SOP_WORKERS": "2",
        "SOP_THREADS": "1",
        "SOP_RATELIMIT_STORAGE_URL": redis_db.url,
        "SOP_RATELIMIT_SEARCH": "3/minute",
        "SOP_ACCESS_LOG": str(log),
        # One connection at a time per worker, and the worker's pid in each access-log line.
        "GUNICORN_CMD_ARGS": "--worker-connections 1 --access-logformat '%(p)s %(s)s %(U)s'",
    }
    gunicorn = Gunicorn(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "search_api.wsgi:app"],
        env,
        ROOT,
        port,
        tmp_path / "gunicorn.log",
    )
    gunicorn.start()
    try:
        wait_for("both workers", lambda: len(_worker_pids(gunicorn.proc.pid)) == 2)
        held = socket.create_connection(("127.0.0.1", port), timeout=60)
        try:
            # Half a request: the worker that took it is busy until the rest arrives.
            held.sendall(b"GET /api/search/filters HTTP/1.1\r\nHost: hub\r\n")
            first = [_get(port, "/api/search/filters") for _ in range(2)]
            held.sendall(b"Connection: close\r\n\r\n")
            reply = held.recv(65536).decode("latin-1")
        finally:
            held.close()
        last = _get(port, "/api/search/filters")
    finally:
        gunicorn.stop()
    assert first == [200, 200] and reply.startswith("HTTP/1.1 200"), (first, reply[:80])
    # The fourth request is over the shared budget of 3, whichever worker answers it.
    assert last == 429
    lines = [line.split() for line in log.read_text().splitlines() if "/api/search/filters" in line]
    pids = {pid for pid, _status, _path in lines}
    assert len(pids) == 2, lines  # both workers answered: the budget really was shared


def _worker_pids(master: int) -> set[int]:
    """The gunicorn workers: children of the master."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(re.sub(r"^.*\) ", "", stat).split()[1]) == master:
                found.add(int(entry.name))
    return found


def test_redis_stopped_under_traffic_counts_in_memory_and_resumes_shared(redis_db, tmp_hub):
    app = limited(tmp_hub, redis_db.url)
    client = app.test_client()
    assert rate_part(client)["status"] == "ok" and "Redis" in rate_part(client)["message"]
    assert [client.get("/api/search/filters").status_code for _ in range(2)] == [200, 200]
    assert redis.Redis.from_url(redis_db.url).keys("*"), "the counts should be in Redis"

    redis_db.stop()
    try:
        # No 500: the server keeps serving and still limits, counting in memory from zero.
        statuses = [client.get("/api/search/filters").status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429], statuses
        assert client.get("/api/search?q=bond").status_code == 429
        body = client.get("/api/health").get_json()
        part = body["components"]["rate_limits"]
        assert body["status"] == "degraded" and part["status"] == "degraded"
        assert "in memory" in part["message"] and "Redis" in part["message"]
        assert any(p["code"] == "rate_limit_storage_down" for p in body["problems"])
    finally:
        redis_db.start()

    def resumed() -> bool:
        client.get("/api/search/filters")  # a limited request lets the limiter look at Redis again
        return rate_part(client)["status"] == "ok"

    wait_for("shared counting to resume", resumed)
    redis_db.flush()
    # Shared again: a second app (another worker) on the same Redis sees the first one's count.
    other = limited(tmp_hub, redis_db.url).test_client()
    assert [client.get("/api/search/filters").status_code for _ in range(3)] == [200] * 3
    assert [other.get("/api/search/filters").status_code for _ in range(3)] == [200, 200, 429]


def test_memory_counting_is_reported_as_per_worker(tmp_hub):
    client = limited(tmp_hub, "memory://").test_client()
    part = rate_part(client)
    assert part["status"] == "ok" and "each worker" in part["message"]


def test_unreachable_redis_at_start_still_serves(tmp_hub):
    client = limited(tmp_hub, f"redis://127.0.0.1:{free_port()}/0").test_client()
    assert [client.get("/api/search/filters").status_code for _ in range(6)] == [200] * 5 + [429]
    assert rate_part(client)["status"] == "degraded"
