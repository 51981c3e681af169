"""PostgreSQL faults: down when the server starts, restarted under traffic, a write the database refuses."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from devtools.local_server import free_port, serve_in_thread
from search_api import create_app
from search_api.config import ROOT
from tests.conftest import FakeEncoder, require_built
from tests.support.deploy_tools import Gunicorn
from tests.support.fault_tools import assert_plain, wait_for
from tests.support.openapi_contract import check_response

MESSAGE = "Feedback could not be saved; nothing was stored. Try again later."
URLS = ["/guidance/what/#names", "/case-studies/peterborough/"]


def pg_app(settings, url: str):
    settings.feedback_url = url
    return create_app(
        {"TESTING": True, "SETTINGS": settings, "ENCODER_FACTORY": FakeEncoder, "RATELIMIT_ENABLED": False}
    )


def stored(pg, url: str) -> list[tuple]:
    """(comment, number of URLs) per feedback row, and no URL without its row."""
    assert pg.execute(url, "SELECT COUNT(*) FROM feedback_url WHERE feedback_id NOT IN (SELECT id FROM feedback)") == [
        (0,)
    ]
    return pg.execute(
        url,
        "SELECT f.comment, COUNT(u.url) FROM feedback f LEFT JOIN feedback_url u ON u.feedback_id = f.id"
        " GROUP BY f.id, f.comment ORDER BY f.id",
    )


def test_postgres_down_at_start_the_server_starts_and_says_so(postgres, tmp_hub):
    url = postgres.new_database()
    postgres.stop()
    try:
        app = pg_app(tmp_hub, url)  # must not raise: the site, search and chatbot do not need the database
        app.extensions["feedback"].retry_seconds = 1  # keep the refused write short
        client = app.test_client()
        health = client.get("/api/health")
        check_response(health, "get", "/api/health")
        body = health.get_json()
        part = body["components"]["feedback"]
        assert body["status"] == "degraded" and part["status"] == "unavailable"
        assert "PostgreSQL cannot be reached" in part["message"] and url not in health.get_data(as_text=True)
        assert_plain(part["message"])
        resp = client.post("/api/feedback", json={"rating": "up", "comment": "while down", "answer_urls": URLS})
        assert resp.status_code == 503
        check_response(resp, "post", "/api/feedback")
        assert resp.get_json() == {"error": {"code": "feedback_unavailable", "message": MESSAGE}}
        assert client.get("/api/search?q=bond").status_code == 200
        assert client.post("/api/ask", json={"question": "How does the money flow?"}).status_code == 200
    finally:
        postgres.start()
    # Back: the schema is created on first use and only what was answered 201 is there.
    resp = client.post("/api/feedback", json={"rating": "down", "comment": "after", "answer_urls": URLS})
    assert resp.status_code == 201
    assert stored(postgres, url) == [("after", 2)]
    assert postgres.execute(url, "SELECT MAX(version) FROM schema_version") == [(2,)]
    assert client.get("/api/health").get_json()["components"]["feedback"]["status"] == "ok"
    app.extensions["feedback"].close()


def _post(base: str, body: dict) -> tuple[int, dict]:
    req = urllib.request.Request(
        base + "/api/feedback", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_postgres_restarted_under_traffic_loses_nothing_and_stores_nothing_twice(postgres, tmp_hub):
    url = postgres.new_database()
    app = pg_app(tmp_hub, url)
    answers: list[tuple[int, dict, str, bool]] = []
    lock = threading.Lock()
    stop = threading.Event()
    restarted = threading.Event()

    def writer(base: str, n: int) -> None:
        for i in range(10_000):
            if stop.is_set():
                return
            comment = f"writer {n} note {i}"
            after = restarted.is_set()
            status, body = _post(base, {"rating": "up", "comment": comment, "answer_urls": URLS})
            with lock:
                answers.append((status, body, comment, after))

    with serve_in_thread(app) as base:
        threads = [threading.Thread(target=writer, args=(base, n)) for n in range(3)]
        for t in threads:
            t.start()
        try:
            wait_for("writes before the restart", lambda: len(answers) >= 30)
            postgres.restart()
            restarted.set()
            wait_for("writes after the restart", lambda: sum(a[3] for a in answers) >= 30)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=120)
    statuses = {a[0] for a in answers}
    assert statuses <= {201, 503}, statuses
    # Writes sent once the database is back all succeed.
    assert all(a[0] == 201 for a in answers if a[3]), [a for a in answers if a[3] and a[0] != 201][:3]
    rows = stored(postgres, url)
    ok = sorted(a[2] for a in answers if a[0] == 201)
    # Each 201 is exactly one row, whole; no row for a refused write, none stored twice.
    assert sorted(c for c, _ in rows) == ok
    assert all(n == len(URLS) for _, n in rows)
    ids = [a[1]["id"] for a in answers if a[0] == 201]
    assert len(ids) == len(set(ids))
    app.extensions["feedback"].close()


def test_a_write_refused_by_the_database_is_a_clear_error(postgres, tmp_hub, caplog):
    url = postgres.new_database()
    app = pg_app(tmp_hub, url)
    client = app.test_client()
    assert (
        client.post("/api/feedback", json={"rating": "up", "comment": "before", "answer_urls": URLS}).status_code == 201
    )
    postgres.execute(
        url,
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'feedback is closed for maintenance'; END $$;"
        " CREATE TRIGGER refuse BEFORE INSERT ON feedback_url FOR EACH ROW EXECUTE FUNCTION refuse();",
    )
    with caplog.at_level(logging.ERROR, logger="search_api"):
        resp = client.post("/api/feedback", json={"rating": "down", "comment": "refused", "answer_urls": URLS})
    assert resp.status_code == 503
    check_response(resp, "post", "/api/feedback")
    assert resp.get_json() == {"error": {"code": "feedback_unavailable", "message": MESSAGE}}
    assert "feedback is closed for maintenance" in caplog.text
    part = client.get("/api/health").get_json()["components"]["feedback"]
    assert part["status"] == "unavailable"
    assert "RaiseException: feedback is closed for maintenance" in part["message"]
    # The feedback row was written before its URLs were refused: the transaction took it back.
    assert stored(postgres, url) == [("before", 2)]
    postgres.execute(url, "DROP TRIGGER refuse ON feedback_url")
    assert (
        client.post("/api/feedback", json={"rating": "up", "comment": "after", "answer_urls": URLS}).status_code == 201
    )
    assert client.get("/api/health").get_json()["components"]["feedback"]["status"] == "ok"
    assert stored(postgres, url) == [("before", 2), ("after", 2)]
    app.extensions["feedback"].close()


@pytest.mark.model  # gunicorn preloads the real model and index
def test_gunicorn_starts_with_postgres_down_and_its_workers_store_once_it_is_back(postgres, tmp_path):
    """The master migrates at start (and fails quietly); each forked worker opens its own pool later."""
    require_built()
    url = postgres.new_database()
    port = free_port()
    env = {**os.environ, "SOP_HOST": "127.0.0.1", "SOP_PORT": str(port), "SOP_WORKERS": "2", "SOP_FEEDBACK_URL": url}
    gunicorn = Gunicorn(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "search_api.wsgi:app"],
        env,
        ROOT,
        port,
        tmp_path / "gunicorn.log",
    )
    postgres.stop()
    try:
        gunicorn.start()
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(base + "/api/health", timeout=60) as resp:
            part = json.loads(resp.read())["components"]["feedback"]
        assert part["status"] == "unavailable" and "PostgreSQL" in part["message"]
        postgres.start()
        # Both workers store (several requests, so each worker is likely to answer some).
        answers = [_post(base, {"rating": "up", "comment": f"after {i}", "answer_urls": URLS}) for i in range(6)]
    finally:
        if not postgres.running:
            postgres.start()
        gunicorn.stop()
    assert [status for status, _ in answers] == [201] * 6
    assert stored(postgres, url) == [(f"after {i}", 2) for i in range(6)]
    assert "feedback database not ready at start" in (tmp_path / "gunicorn.log").read_text()
