"""Feedback on a full or unwritable disk: a clear 503, nothing half-written, the rest of the API unharmed."""

from __future__ import annotations

import sqlite3

import pytest

from search_api import create_app
from search_api.feedback import store as feedback
from search_api.feedback.store import FeedbackStore
from tests.conftest import INDEX, SITE, FakeEncoder, require_built
from tests.support.openapi_contract import check_response

MESSAGE = "Feedback could not be saved; nothing was stored. Try again later."
URLS = [f"/guidance/page-{i}/#section-{i}" for i in range(8)]


def rated(n: int) -> dict:
    """A feedback body as large as the API allows, so each one needs new database pages."""
    return {"rating": "up" if n % 2 else "down", "comment": f"note {n} " + "x" * 980, "answer_urls": URLS}


def consistent(path) -> list[tuple]:
    """Check the database is whole and every row has all its URLs; return (id, comment) per row."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        per_row = conn.execute(
            "SELECT f.id, COUNT(u.url) FROM feedback f LEFT JOIN feedback_url u ON u.feedback_id = f.id GROUP BY f.id"
        ).fetchall()
        assert all(count == len(URLS) for _id, count in per_row), per_row
        orphans = conn.execute("SELECT COUNT(*) FROM feedback_url WHERE feedback_id NOT IN (SELECT id FROM feedback)")
        assert orphans.fetchone()[0] == 0
        return conn.execute("SELECT id, comment FROM feedback ORDER BY id").fetchall()


def fill_until_full(client) -> tuple[list[int], object]:
    """Post feedback until SQLite reports the disk full; return the stored ids and the refusal."""
    stored = []
    for n in range(200):
        resp = client.post("/api/feedback", json=rated(n))
        if resp.status_code != 201:
            return stored, resp
        stored.append(resp.get_json()["id"])
    pytest.fail("the size cap never filled the database")


def test_disk_full_is_a_clear_503_and_earlier_feedback_is_intact(app, client):
    for n in range(3):
        assert client.post("/api/feedback", json=rated(n)).status_code == 201
    store = FeedbackStore(app.extensions["sop"].settings.instance_dir)
    before = consistent(store.path)
    # A real SQLITE_FULL: SQLite itself refuses to grow the file past this many pages.
    store.max_pages = 1
    app.extensions["feedback"] = store
    more, refused = fill_until_full(client)
    assert refused.status_code == 503
    check_response(refused, "post", "/api/feedback")
    assert refused.get_json() == {"error": {"code": "feedback_unavailable", "message": MESSAGE}}
    after = consistent(store.path)
    assert after[: len(before)] == before and [i for i, _ in after[len(before) :]] == more
    assert "database or disk is full" in store.last_error

    health = client.get("/api/health").get_json()
    assert health["status"] == "degraded" and health["components"]["feedback"]["status"] == "unavailable"
    assert "full" in health["components"]["feedback"]["message"]
    assert client.get("/api/search?q=bond").status_code == 200
    assert client.post("/api/ask", json={"question": "What is a social impact bond?"}).status_code == 200

    store.max_pages = None  # space freed: the next feedback is stored and health recovers
    assert client.post("/api/feedback", json=rated(999)).status_code == 201
    assert client.get("/api/health").get_json()["components"]["feedback"]["status"] == "ok"
    assert len(consistent(store.path)) == len(after) + 1


def test_every_refused_write_leaves_the_database_as_it_was(tmp_path):
    store = FeedbackStore(tmp_path)
    store.add("up", "first", URLS, "kept")
    store.max_pages = 1
    for n in range(200):
        before = consistent(store.path)
        try:
            store.add("down", f"q{n}", URLS, "y" * 1000)
        except sqlite3.OperationalError as exc:
            assert "full" in str(exc)
            assert consistent(store.path) == before
            break
    else:
        pytest.fail("the size cap never filled the database")
    assert consistent(store.path)[0][1] == "kept"


def test_database_path_taken_by_a_folder(app, client):
    instance = app.extensions["sop"].settings.instance_dir
    (instance / feedback.FILE_NAME).mkdir(parents=True)
    resp = client.post("/api/feedback", json={"rating": "up"})
    assert resp.status_code == 503 and resp.get_json()["error"]["message"] == MESSAGE
    part = client.get("/api/health").get_json()["components"]["feedback"]
    assert part["status"] == "unavailable"
    assert client.get("/api/search?q=bond").status_code == 200


def test_instance_path_is_a_file_the_app_still_starts(tmp_hub):
    tmp_hub.instance_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp_hub.instance_dir.write_text("not a folder")
    client = create_app({"TESTING": True, "SETTINGS": tmp_hub, "ENCODER_FACTORY": FakeEncoder}).test_client()
    assert client.get("/").status_code == 200
    part = client.get("/api/health").get_json()["components"]["feedback"]
    assert part["status"] == "unavailable" and "not a folder" in part["message"]
    # The chatbot's sentence cache lives there too: it only costs speed.
    assert client.post("/api/ask", json={"question": "How does the money flow?"}).status_code == 200
    resp = client.post("/api/feedback", json={"rating": "down"})
    assert resp.status_code == 503 and resp.get_json()["error"]["code"] == "feedback_unavailable"


def test_missing_instance_folder_is_created_on_first_feedback(tmp_hub):
    tmp_hub.instance_dir = tmp_hub.instance_dir / "not" / "yet"
    client = create_app({"TESTING": True, "SETTINGS": tmp_hub, "ENCODER_FACTORY": FakeEncoder}).test_client()
    assert client.get("/api/health").get_json()["components"]["feedback"]["status"] == "ok"
    assert client.post("/api/feedback", json={"rating": "up"}).status_code == 201
    assert (tmp_hub.instance_dir / feedback.FILE_NAME).is_file()


def test_read_only_database_is_refused_cleanly(app, client, monkeypatch):
    assert client.post("/api/feedback", json=rated(1)).status_code == 201
    path = FeedbackStore(app.extensions["sop"].settings.instance_dir).path
    before = consistent(path)
    real_connect = sqlite3.connect

    def read_only(database, *args, **kwargs):
        # SQLite's own read-only mode: what a read-only mount gives (chmod does not stop root).
        return real_connect(f"file:{database}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(feedback.sqlite3, "connect", read_only)
    resp = client.post("/api/feedback", json=rated(2))
    assert resp.status_code == 503 and resp.get_json()["error"]["message"] == MESSAGE
    monkeypatch.undo()
    assert consistent(path) == before


def test_unusable_instance_folder(app, client):
    """Tests run as root, which ignores chmod; a file where the folder should be stops root too."""
    instance = app.extensions["sop"].settings.instance_dir
    instance.parent.mkdir(parents=True, exist_ok=True)
    instance.write_text("not a folder")
    assert client.post("/api/feedback", json={"rating": "up"}).status_code == 503
    health = client.get("/api/health")
    assert health.get_json()["components"]["feedback"]["status"] == "unavailable"
    # Health is public: it says what failed but never shows the server's paths.
    assert str(instance.parent) not in health.get_data(as_text=True)
    assert client.get("/api/search?q=investors").status_code == 200
    assert instance.read_text() == "not a folder"


def test_disk_full_on_the_real_stack(tmp_path):
    """The real app (real model, index and site) with its feedback store capped: search and ask go on."""
    require_built()
    from search_api.config import Settings

    settings = Settings(site_dir=SITE, index_dir=INDEX, instance_dir=tmp_path / "instance")
    app = create_app({"TESTING": True, "SETTINGS": settings})
    client = app.test_client()
    assert client.post("/api/feedback", json=rated(0)).status_code == 201
    app.extensions["feedback"].max_pages = 1
    stored, refused = fill_until_full(client)
    assert refused.status_code == 503 and refused.get_json()["error"]["message"] == MESSAGE
    assert len(consistent(app.extensions["feedback"].path)) == 1 + len(stored)
    assert client.get("/api/search?q=outcome+payments").get_json()["results"]
    assert client.post("/api/ask", json={"question": "Who pays for outcomes?"}).status_code == 200
    health = client.get("/api/health").get_json()
    assert health["components"]["feedback"]["status"] == "unavailable" and health["search"] == "hybrid"
