"""Durable store of readers' feedback on answers: SQLite in WAL mode, one transaction per write.

The schema is versioned with SQLite's user_version: a file written by an older hub is
brought up to date, rows kept, the first time this one opens it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FILE_NAME = "feedback.sqlite3"
# Version 1 is the schema files had before versions were recorded (user_version 0), so
# its statements must work on such a file too.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
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
        """,
    ),
    (
        2,
        """
        ALTER TABLE feedback ADD COLUMN route TEXT;
        CREATE INDEX feedback_created ON feedback (created);
        CREATE TABLE declined (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created TEXT NOT NULL,
            question TEXT NOT NULL
        );
        CREATE INDEX declined_created ON declined (created);
        """,
    ),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
_EPOCH = "1970-01-01T00:00:00+00:00"


def _stamp(moment: datetime | None = None) -> str:
    """A UTC time as stored: ISO 8601 to the second, so text order is time order."""
    return (moment or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations the file lacks, each in its own transaction; returns the version reached."""
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for version, sql in MIGRATIONS:
        if version <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while this one waited for the lock.
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) < version:
                for statement in filter(str.strip, sql.split(";")):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        current = version
    return current


def path_from_url(url: str) -> Path:
    """The file of a sqlite:/// URL: sqlite:///relative/path or sqlite:////absolute/path."""
    rest = url.removeprefix("sqlite://")
    if not rest.startswith("/") or rest == "/":
        raise ValueError(
            f"SOP_FEEDBACK_URL={url!r}: a SQLite URL is sqlite:///relative/file or sqlite:////absolute/file"
        )
    return Path(rest[1:])


def _with_retry(step, attempts: int = 50, pause: float = 0.1):
    """Run a step that SQLite may refuse with "database is locked" while another process sets up."""
    for i in range(attempts):
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or i == attempts - 1:
                raise
            time.sleep(pause)
    return None


class FeedbackStore:
    """Feedback rows, the URLs each rated answer cited and declined questions, written all-or-nothing."""

    kind = "sqlite"

    def __init__(self, folder: Path, max_pages: int | None = None, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else Path(folder) / FILE_NAME
        self._ready = False
        self._init_lock = threading.Lock()
        # A size cap in database pages (SQLite answers "database or disk is full" beyond it).
        self.max_pages = max_pages
        # Why the last write failed (None after a success): /api/health reports it.
        self.last_error: str | None = None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per write: sqlite3 connections must not be shared across threads.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as conn:
            # FULL: a committed row survives a power cut, not only a crash of the process.
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            if self.max_pages is not None:
                conn.execute(f"PRAGMA max_page_count={int(self.max_pages)}")
            if not self._ready:
                # Once per process, one thread at a time: switching to WAL and migrating take the
                # whole file, and SQLite answers "database is locked" at once instead of waiting.
                with self._init_lock:
                    if not self._ready:
                        _with_retry(lambda: conn.execute("PRAGMA journal_mode=WAL"))
                        migrate(conn)
                        self._ready = True
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; a failure leaves the file as it was and is kept for /api/health."""
        try:
            with self._connect() as conn:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
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

    def add(
        self,
        rating: str,
        question: str | None = None,
        answer_urls: list[str] | None = None,
        comment: str | None = None,
        page: str | None = None,
        route: str | None = None,
    ) -> int:
        """Store one piece of feedback in a single transaction; returns its id."""
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO feedback (created, rating, question, comment, page, route) VALUES (?, ?, ?, ?, ?, ?)",
                (_stamp(), rating, question, comment, page, route),
            )
            row_id = int(cur.lastrowid or 0)
            self._insert_urls(conn, row_id, answer_urls or [])
        return row_id

    def _insert_urls(self, conn: sqlite3.Connection, row_id: int, urls: list[str]) -> None:
        for position, url in enumerate(urls):
            conn.execute(
                "INSERT INTO feedback_url (feedback_id, position, url) VALUES (?, ?, ?)", (row_id, position, url)
            )

    def add_declined(self, question: str) -> None:
        """Keep one declined question (already normalised and checked for personal data)."""
        with self._write() as conn:
            conn.execute("INSERT INTO declined (created, question) VALUES (?, ?)", (_stamp(), question))

    def prune(self, before: datetime) -> dict[str, int]:
        """Delete feedback, its URLs and declined questions older than `before`, in one transaction."""
        if not self.path.is_file():
            return {"feedback": 0, "declined": 0}
        cutoff = _stamp(before)
        with self._write() as conn:
            old = "SELECT id FROM feedback WHERE created < ?"
            conn.execute(f"DELETE FROM feedback_url WHERE feedback_id IN ({old})", (cutoff,))
            fb = conn.execute("DELETE FROM feedback WHERE created < ?", (cutoff,)).rowcount
            dq = conn.execute("DELETE FROM declined WHERE created < ?", (cutoff,)).rowcount
        return {"feedback": fb, "declined": dq}

    def rows(self, since: datetime | None = None) -> list[dict[str, Any]]:
        """Feedback rows with their URLs, oldest first; only those from `since` on when given."""
        if not self.path.is_file():
            return []
        cutoff = _stamp(since) if since else _EPOCH
        with self._connect() as conn:
            conn.row_factory = sqlite3.Row
            select = "SELECT id, created, rating, question, comment, page, route FROM feedback"
            rows = [dict(r) for r in conn.execute(f"{select} WHERE created >= ? ORDER BY id", (cutoff,))]
            urls: dict[int, list[str]] = {}
            sql = "SELECT feedback_id, url FROM feedback_url WHERE feedback_id >= ? ORDER BY feedback_id, position"
            for r in conn.execute(sql, (rows[0]["id"] if rows else 0,)):
                urls.setdefault(r["feedback_id"], []).append(r["url"])
        for row in rows:
            row["answer_urls"] = urls.get(row["id"], [])
        return rows

    def all(self) -> list[dict[str, Any]]:
        """Every stored row with its URLs, oldest first (for reports and tests)."""
        return self.rows()

    def declined(self, since: datetime | None = None) -> list[dict[str, Any]]:
        """Declined questions kept, oldest first."""
        if not self.path.is_file():
            return []
        cutoff = _stamp(since) if since else _EPOCH
        with self._connect() as conn:
            sql = "SELECT created, question FROM declined WHERE created >= ? ORDER BY id"
            return [{"created": c, "question": q} for c, q in conn.execute(sql, (cutoff,))]

    def close(self) -> None:
        """Nothing to close: each operation opens and closes its own connection."""
