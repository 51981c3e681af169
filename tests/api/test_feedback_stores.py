"""The same feedback tests on both stores: SQLite (the default) and a real PostgreSQL server the tests start."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading

import pytest

from search_api import create_app
from search_api.cli.main import main as sophub
from search_api.feedback.stores import keep_declined, open_store
from tests.conftest import FakeEncoder
from tests.support.openapi_contract import check_response

URLS = ["/guidance/what/#how-the-money-flows", "/case-studies/peterborough/"]
FULL = {
    "rating": "down",
    "question": "Who pays the investors?",
    "answer_urls": URLS,
    "comment": "It does not say when.",
    "page": "/guidance/what/",
    "route": "answered",
}


# The PostgreSQL case starts a database server: `make check` (no servers) runs the SQLite one only.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.server)])
def store_url(request, tmp_path) -> str:
    """A SOP_FEEDBACK_URL for an empty store of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/feedback/hub.sqlite3"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def fb_app(tmp_hub, store_url, monkeypatch):
    """The fast app on that store; the `sophub feedback-*` commands read the same URL."""
    monkeypatch.setenv("SOP_FEEDBACK_URL", store_url)
    tmp_hub.feedback_url = store_url
    app = create_app({"TESTING": True, "SETTINGS": tmp_hub, "ENCODER_FACTORY": FakeEncoder, "RATELIMIT_ENABLED": False})
    yield app
    app.extensions["feedback"].close()


def store(app):
    return app.extensions["feedback"]


def age(app, days: int) -> None:
    """Make every stored row `days` old, in the store's own SQL."""
    s = store(app)
    if s.kind == "sqlite":
        with sqlite3.connect(s.path) as conn:
            for table in ("feedback", "declined"):
                conn.execute(f"UPDATE {table} SET created = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-{days} days')")
    else:
        import psycopg

        with psycopg.connect(s.url, autocommit=True) as conn:
            for table in ("feedback", "declined"):
                conn.execute(f"UPDATE {table} SET created = now() - interval '{days} days'")


def run(capsys, *argv: str) -> tuple[int, str]:
    code = sophub(list(argv))
    return code, capsys.readouterr().out


def test_feedback_is_stored_whole_in_one_row(fb_app):
    client = fb_app.test_client()
    resp = client.post("/api/feedback", json=FULL)
    assert resp.status_code == 201
    check_response(resp, "post", "/api/feedback")
    rows = store(fb_app).rows()
    assert len(rows) == 1 and rows[0]["id"] == resp.get_json()["id"]
    assert {k: rows[0][k] for k in FULL} == FULL
    assert client.post("/api/feedback", json={"rating": "up"}).status_code == 201
    assert [r["rating"] for r in store(fb_app).rows()] == ["down", "up"]
    assert client.get("/api/health").get_json()["components"]["feedback"]["status"] == "ok"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"route": "Not a route!"}, "route", "invalid_value"),
        ({"route": 3}, "route", "invalid_type"),
        ({"route": "answered\n"}, "route", "invalid_value"),
        ({"comment": "call me on 07700 900123"}, "comment", "personal_data"),
        ({"answer_urls": ["https://elsewhere.example/"]}, "answer_urls[0]", "invalid_value"),
    ],
)
def test_refused_feedback_names_the_field_and_stores_nothing(fb_app, change, field, code):
    resp = fb_app.test_client().post("/api/feedback", json={**FULL, **change})
    assert resp.status_code == 400
    check_response(resp, "post", "/api/feedback")
    assert resp.get_json()["error"]["code"] == code and resp.get_json()["error"]["field"] == field
    assert store(fb_app).rows() == []


def test_concurrent_writes_are_each_stored_once(fb_app):
    ids: list[int] = []
    lock = threading.Lock()

    def post(n: int) -> None:
        client = fb_app.test_client()
        for i in range(10):
            resp = client.post("/api/feedback", json={**FULL, "comment": f"writer {n} note {i}"})
            assert resp.status_code == 201
            with lock:
                ids.append(resp.get_json()["id"])

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    rows = store(fb_app).rows()
    assert sorted(ids) == [r["id"] for r in rows] and len(set(ids)) == 40
    assert len({r["comment"] for r in rows}) == 40 and all(r["answer_urls"] == URLS for r in rows)


def test_export_as_csv_and_json(fb_app, capsys):
    client = fb_app.test_client()
    client.post("/api/feedback", json=FULL)
    client.post("/api/feedback", json={"rating": "up", "comment": 'a "quoted", comma'})
    code, out = run(capsys, "feedback-export", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["rating"] for r in rows] == ["down", "up"] and rows[0]["answer_urls"] == URLS
    assert rows[0]["created"].endswith("+00:00")
    code, out = run(capsys, "feedback-export")
    table = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and table[0]["answer_urls"] == " ".join(URLS) and table[1]["comment"] == 'a "quoted", comma'


def test_report_covers_the_period_asked_for(fb_app, capsys):
    client = fb_app.test_client()
    client.post("/api/feedback", json={**FULL, "comment": "old and forgotten"})
    age(fb_app, 40)
    client.post("/api/feedback", json=FULL)
    client.post("/api/feedback", json={**FULL, "rating": "up", "route": "project", "comment": None})
    code, out = run(capsys, "feedback-report", "--since", "30d")
    assert code == 0
    assert "| /guidance/what/ | 1 | 1 | 2 | 50% |" in out and "| project | 1 | 0 | 1 | 100% |" in out
    assert "It does not say when." in out and "old and forgotten" not in out
    code, out = run(capsys, "feedback-report", "--since", "60d", "--format", "csv")
    assert code == 0 and "old and forgotten" in out and out.startswith("section,item,")


def test_prune_deletes_only_old_rows(fb_app, capsys):
    client = fb_app.test_client()
    client.post("/api/feedback", json=FULL)
    keep_declined(store(fb_app), "what about wales", True)
    age(fb_app, 400)
    client.post("/api/feedback", json={**FULL, "comment": "recent"})
    code, out = run(capsys, "feedback-prune", "--older-than", "365d")
    assert code == 0 and "Deleted 1 feedback rows and 1 declined questions" in out
    rows = store(fb_app).rows()
    assert [r["comment"] for r in rows] == ["recent"] and rows[0]["answer_urls"] == URLS
    assert store(fb_app).declined() == []
    assert run(capsys, "feedback-prune", "--older-than", "soon")[0] == 2


def test_declined_questions_are_kept_only_when_asked_and_only_without_personal_data(fb_app, capsys):
    client = fb_app.test_client()
    question = {"question": "What colour is the Zorblax quantum teapot?"}
    assert client.post("/api/ask", json=question).get_json()["route"] == "declined"
    assert store(fb_app).declined() == []  # SOP_LOG_DECLINED is off by default
    fb_app.extensions["sop"].settings.log_declined = True
    for _ in range(2):
        assert client.post("/api/ask", json=question).get_json()["route"] == "declined"
    kept = store(fb_app).declined()
    assert [d["question"] for d in kept] == ["what colour is the zorblax quantum teapot"] * 2
    # Personal data is never kept, whatever route the question took.
    client.post("/api/ask", json={"question": "Email jo@example.org about the Zorblax teapot"})
    assert not keep_declined(store(fb_app), "My NI number is QQ 12 34 56 C, what now?", True)
    assert len(store(fb_app).declined()) == 2
    code, out = run(capsys, "feedback-report")
    assert code == 0 and "| what colour is the zorblax quantum teapot | 2 |" in out


def test_the_schema_version_is_recorded(fb_app):
    fb_app.test_client().post("/api/feedback", json=FULL)
    s = store(fb_app)
    if s.kind == "sqlite":
        with sqlite3.connect(s.path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    else:
        import psycopg

        with psycopg.connect(s.url) as conn:
            assert conn.execute("SELECT array_agg(version ORDER BY version) FROM schema_version").fetchone()[0] == [
                1,
                2,
            ]


def test_an_old_sqlite_file_is_migrated_with_its_rows(tmp_hub):
    path = tmp_hub.instance_dir / "feedback.sqlite3"
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as conn:  # the schema before versions were recorded
        conn.executescript(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL,"
            " rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), question TEXT, comment TEXT, page TEXT);"
            "CREATE TABLE feedback_url (feedback_id INTEGER NOT NULL REFERENCES feedback(id),"
            " position INTEGER NOT NULL, url TEXT NOT NULL, PRIMARY KEY (feedback_id, position));"
            "INSERT INTO feedback VALUES (1, '2026-11-01T10:00:00+00:00', 'up', 'q', 'kept', '/a/');"
            "INSERT INTO feedback_url VALUES (1, 0, '/a/#x');"
        )
    s = open_store(tmp_hub)
    s.add("down", route="declined")
    rows = s.rows()
    assert [(r["comment"], r["route"], r["answer_urls"]) for r in rows] == [
        ("kept", None, ["/a/#x"]),
        (None, "declined", []),
    ]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2


@pytest.mark.parametrize("url", ["mysql://hub:secret@db/hub", "sqlite:relative.db", "sqlite:///"])
def test_an_unknown_feedback_url_stops_the_server_with_a_clear_message(tmp_hub, url):
    tmp_hub.feedback_url = url
    with pytest.raises(ValueError, match="SOP_FEEDBACK_URL") as err:
        create_app({"TESTING": True, "SETTINGS": tmp_hub, "ENCODER_FACTORY": FakeEncoder})
    assert "secret" not in str(err.value)
