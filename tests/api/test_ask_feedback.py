"""The feedback store: WAL, one transaction per write, nothing lost or half-written on a crash."""

import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from search_api.feedback.store import FeedbackStore
from tests.conftest import ROOT


def test_rows_round_trip_in_wal_mode(tmp_path):
    store = FeedbackStore(tmp_path)
    first = store.add("up", "what is a SIB?", ["/a/#x", "/b/"], "good", "/a/")
    second = store.add("down")
    rows = store.all()
    assert [r["id"] for r in rows] == [first, second]
    assert rows[0]["answer_urls"] == ["/a/#x", "/b/"] and rows[1]["answer_urls"] == []
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_bad_rating_is_refused_by_the_database_itself(tmp_path):
    with pytest.raises(sqlite3.IntegrityError):
        FeedbackStore(tmp_path).add("sideways")
    assert FeedbackStore(tmp_path).all() == []


def test_an_error_inside_the_transaction_leaves_no_partial_row(tmp_path, monkeypatch):
    store = FeedbackStore(tmp_path)
    for i in range(3):
        store.add("up", f"question {i}", [f"/page-{i}/"])
    original = FeedbackStore._insert_urls

    def fail_half_way(self, conn, row_id, urls):
        original(self, conn, row_id, urls[:1])  # the first URL is written, then the write breaks
        raise OSError("disk full")

    monkeypatch.setattr(FeedbackStore, "_insert_urls", fail_half_way)
    with pytest.raises(OSError):
        store.add("down", "question 3", ["/x/", "/y/"])
    monkeypatch.undo()
    rows = FeedbackStore(tmp_path).all()
    assert [r["question"] for r in rows] == ["question 0", "question 1", "question 2"]
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM feedback_url").fetchone()[0] == 3
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_process_killed_mid_transaction_loses_nothing_committed(tmp_path):
    # The child commits five rows, then starts a sixth and stops inside the transaction,
    # after the feedback row is written and before its URLs are; the parent kills it there.
    child = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from search_api.feedback.store import FeedbackStore

        class Stalling(FeedbackStore):
            def _insert_urls(self, conn, row_id, urls):
                if urls == ["/stall/"]:
                    print("MID-WRITE", flush=True)
                    time.sleep(120)
                super()._insert_urls(conn, row_id, urls)

        store = Stalling({str(tmp_path)!r})
        for i in range(5):
            store.add("up", f"committed {{i}}", [f"/page-{{i}}/"])
        store.add("down", "never committed", ["/stall/"])
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "MID-WRITE"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    rows = FeedbackStore(tmp_path).all()
    assert [r["question"] for r in rows] == [f"committed {i}" for i in range(5)]
    assert [r["answer_urls"] for r in rows] == [[f"/page-{i}/"] for i in range(5)]
    with sqlite3.connect(tmp_path / "feedback.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # The store keeps working after the crash.
    FeedbackStore(tmp_path).add("up", "after the crash")
    assert len(FeedbackStore(tmp_path).all()) == 6
