"""Durable store of readers' feedback on answers: SQLite in WAL mode, one transaction per write."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FILE_NAME = "feedback.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT,
    comment TEXT,
    page TEXT
);
CREATE TABLE IF NOT EXISTS feedback_url (
    feedback_id INTEGER NOT NULL REFERENCES feedback(id),
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (feedback_id, position)
);
"""


class FeedbackStore:
    """Feedback rows and the URLs each rated answer cited, written all-or-nothing."""

    def __init__(self, folder: Path, max_pages: int | None = None) -> None:
        self.path = Path(folder) / FILE_NAME
        self._ready = False
        # A size cap in database pages (SQLite answers "database or disk is full" beyond it).
        self.max_pages = max_pages
        # Why the last write failed (None after a success): /api/health reports it.
        self.last_error: str | None = None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per write: sqlite3 connections must not be shared across threads.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed row survives a power cut, not only a crash of the process.
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            if self.max_pages is not None:
                conn.execute(f"PRAGMA max_page_count={int(self.max_pages)}")
            if not self._ready:
                conn.executescript(SCHEMA)
                self._ready = True
            yield conn

    def add(
        self,
        rating: str,
        question: str | None = None,
        answer_urls: list[str] | None = None,
        comment: str | None = None,
        page: str | None = None,
    ) -> int:
        """Store one piece of feedback in a single transaction; returns its id."""
        created = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            with self._connect() as conn:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    cur = conn.execute(
                        "INSERT INTO feedback (created, rating, question, comment, page) VALUES (?, ?, ?, ?, ?)",
                        (created, rating, question, comment, page),
                    )
                    row_id = int(cur.lastrowid or 0)
                    self._insert_urls(conn, row_id, answer_urls or [])
                    conn.execute("COMMIT")
                except BaseException:
                    # Anything raised mid-write (even KeyboardInterrupt) undoes the whole row. SQLite
                    # may already have rolled back itself (on a full disk), so only if still open.
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        except (sqlite3.Error, OSError) as exc:
            # /api/health is public: say what went wrong, never the server's file paths.
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            if isinstance(exc, OSError) and not exc.strerror:
                reason = type(exc).__name__
            self.last_error = f"The last feedback could not be saved ({type(exc).__name__}: {reason})."
            raise
        self.last_error = None
        return row_id

    def _insert_urls(self, conn: sqlite3.Connection, row_id: int, urls: list[str]) -> None:
        for position, url in enumerate(urls):
            conn.execute(
                "INSERT INTO feedback_url (feedback_id, position, url) VALUES (?, ?, ?)", (row_id, position, url)
            )

    def all(self) -> list[dict[str, Any]]:
        """Every stored row with its URLs, oldest first (for reports and tests)."""
        if not self.path.is_file():
            return []
        with self._connect() as conn:
            conn.row_factory = sqlite3.Row
            rows = [dict(r) for r in conn.execute("SELECT * FROM feedback ORDER BY id")]
            urls: dict[int, list[str]] = {}
            for r in conn.execute("SELECT feedback_id, url FROM feedback_url ORDER BY feedback_id, position"):
                urls.setdefault(r["feedback_id"], []).append(r["url"])
        for row in rows:
            row["answer_urls"] = urls.get(row["id"], [])
        return rows
