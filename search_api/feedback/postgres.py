"""Readers' feedback in PostgreSQL (SOP_FEEDBACK_URL=postgresql://...): a small pool per worker, one transaction per write.

The schema is versioned: `schema_version` records each migration applied, and every process
applies the missing ones at start under an advisory lock, so two workers starting together
never race. A write that loses its connection (the database restarting) is retried on a new
one for a few seconds; each write carries a key of its own, so a retry after a commit whose
answer was lost finds the row already there instead of storing it twice.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

log = logging.getLogger("search_api.feedback")
T = TypeVar("T")
# A number of our own for pg_advisory_xact_lock: only one process migrates at a time.
MIGRATION_LOCK = 7_150_015
# Each migration runs once, in order, in one transaction with the version it brings.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE feedback (
            id BIGSERIAL PRIMARY KEY,
            created TIMESTAMPTZ NOT NULL DEFAULT now(),
            rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
            question TEXT,
            comment TEXT,
            page TEXT
        );
        CREATE TABLE feedback_url (
            feedback_id BIGINT NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
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
        ALTER TABLE feedback ADD COLUMN write_key UUID UNIQUE;
        CREATE INDEX feedback_created ON feedback (created);
        CREATE TABLE declined (
            id BIGSERIAL PRIMARY KEY,
            created TIMESTAMPTZ NOT NULL DEFAULT now(),
            question TEXT NOT NULL
        );
        CREATE INDEX declined_created ON declined (created);
        """,
    ),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
# Connection-level failures: the server went away or is starting. Anything else (a refused
# write, a full disk) is the database's answer, and trying again would not change it.
_RETRY_STATES = ("08", "57P01", "57P02", "57P03")


def migrate(conn: psycopg.Connection) -> int:
    """Apply the migrations this database lacks, in one transaction; returns the version reached."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
            " applied TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
        current = int(row[0]) if row else 0
        for version, sql in MIGRATIONS:
            if version > current:
                conn.execute(sql)
                conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
                log.info("feedback schema migrated to version %s", version)
                current = version
    return current


def _retryable(exc: BaseException) -> bool:
    """True when the failure was the connection, not the database refusing the statement."""
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, psycopg.Error):
        state = exc.sqlstate or ""
        return not state or state.startswith(_RETRY_STATES[0]) or state in _RETRY_STATES[1:]
    return False


def _describe(exc: BaseException) -> str:
    """The database's own words, on one line, without the connection string."""
    if isinstance(exc, PoolTimeout):
        return "PostgreSQL cannot be reached"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


def _iso(value: Any) -> str:
    """A timestamp as the SQLite store writes it: UTC, to the second, ISO 8601."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    return str(value)


class PostgresFeedbackStore:
    """Feedback rows, their cited URLs and declined questions in PostgreSQL."""

    kind = "postgresql"

    def __init__(self, url: str, retry_seconds: float = 8.0, pool_size: int = 4, connect_timeout: int = 3) -> None:
        self.url = url
        self.retry_seconds = retry_seconds
        self.pool_size = pool_size
        self.connect_timeout = connect_timeout
        self.last_error: str | None = None
        # True when last_error came from the connection: a working connection clears it.
        self._error_was_connection = False
        self._version = 0
        self._pool: ConnectionPool | None = None
        self._pool_pid = 0
        self._lock = threading.Lock()

    # --- connections ------------------------------------------------------------------

    def migrate_now(self) -> bool:
        """Bring the schema up to date on a connection of its own (at start, before workers fork)."""
        try:
            with psycopg.connect(self.url, connect_timeout=self.connect_timeout, application_name="sophub") as conn:
                self._version = migrate(conn)
            return True
        except psycopg.Error as exc:
            self._failed(exc)
            log.warning("feedback database not ready at start: %s", _describe(exc))
            return False

    def _get_pool(self) -> ConnectionPool:
        """This process's pool: pools and their threads do not survive a fork, so each worker opens its own."""
        with self._lock:
            if self._pool is None or self._pool_pid != os.getpid():
                self._pool = ConnectionPool(
                    self.url,
                    min_size=1,
                    max_size=self.pool_size,
                    open=False,
                    timeout=self.connect_timeout,
                    # A connection the server dropped (restart) is found and replaced before use.
                    check=ConnectionPool.check_connection,
                    kwargs={"connect_timeout": self.connect_timeout, "application_name": "sophub"},
                    name="sophub-feedback",
                )
                self._pool.open(wait=False)
                self._pool_pid = os.getpid()
            return self._pool

    def _reset_pool(self) -> None:
        """Drop the pool after a connection failure: the next try connects afresh, without back-off."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None and self._pool_pid == os.getpid():
            try:
                pool.close(timeout=0)
            except Exception:  # noqa: BLE001 - closing a broken pool must never hide the real error
                log.debug("closing the feedback pool failed", exc_info=True)

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        with self._get_pool().connection(timeout=self.connect_timeout) as conn:
            if self._version < SCHEMA_VERSION:
                self._version = migrate(conn)
            yield conn

    def _run(self, work: Callable[[psycopg.Connection], T], retry: bool = True) -> T:
        """Run `work` in one transaction; retry on a new connection while the server is away."""
        deadline = time.monotonic() + (self.retry_seconds if retry else 0)
        while True:
            try:
                with self._connection() as conn, conn.transaction():
                    result = work(conn)
                self.last_error = None
                return result
            except (psycopg.Error, PoolTimeout) as exc:
                again = _retryable(exc)
                if again:
                    self._reset_pool()
                if not again or time.monotonic() >= deadline:
                    self._failed(exc)
                    raise
                time.sleep(0.25)

    def _failed(self, exc: BaseException) -> None:
        self._error_was_connection = _retryable(exc)
        self.last_error = f"The last feedback could not be saved ({type(exc).__name__}: {_describe(exc)})."

    def close(self) -> None:
        """Close this process's pool."""
        self._reset_pool()

    # --- writes ----------------------------------------------------------------------

    def add(
        self,
        rating: str,
        question: str | None = None,
        answer_urls: list[str] | None = None,
        comment: str | None = None,
        page: str | None = None,
        route: str | None = None,
    ) -> int:
        """Store one piece of feedback and its URLs in a single transaction; returns its id."""
        key = uuid.uuid4()
        urls = list(answer_urls or [])

        def write(conn: psycopg.Connection) -> int:
            row = conn.execute(
                "INSERT INTO feedback (rating, question, comment, page, route, write_key)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (write_key) DO NOTHING RETURNING id",
                (rating, question, comment, page, route, key),
            ).fetchone()
            if row is None:  # a retry: the first attempt committed, only its answer was lost
                found = conn.execute("SELECT id FROM feedback WHERE write_key = %s", (key,)).fetchone()
                return int(found[0]) if found else 0
            row_id = int(row[0])
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO feedback_url (feedback_id, position, url) VALUES (%s, %s, %s)",
                    [(row_id, i, url) for i, url in enumerate(urls)],
                )
            return row_id

        return self._run(write)

    def add_declined(self, question: str) -> None:
        """Keep one declined question (already normalised and checked for personal data)."""
        self._run(lambda conn: conn.execute("INSERT INTO declined (question) VALUES (%s)", (question,)), retry=False)

    def prune(self, before: datetime) -> dict[str, int]:
        """Delete feedback and declined questions older than `before`, in one transaction."""

        def delete(conn: psycopg.Connection) -> dict[str, int]:
            fb = conn.execute("DELETE FROM feedback WHERE created < %s", (before,)).rowcount
            dq = conn.execute("DELETE FROM declined WHERE created < %s", (before,)).rowcount
            return {"feedback": max(fb, 0), "declined": max(dq, 0)}

        return self._run(delete, retry=False)

    # --- reads -----------------------------------------------------------------------

    def rows(self, since: datetime | None = None) -> list[dict[str, Any]]:
        """Feedback rows with their URLs, oldest first; only those from `since` on when given."""

        def read(conn: psycopg.Connection) -> list[dict[str, Any]]:
            cur = conn.cursor(row_factory=dict_row)
            cur.execute(
                "SELECT id, created, rating, question, comment, page, route FROM feedback"
                " WHERE created >= %s ORDER BY id",
                (since or datetime(1970, 1, 1, tzinfo=UTC),),
            )
            rows = cur.fetchall()
            urls: dict[int, list[str]] = {}
            if rows:
                cur.execute(
                    "SELECT feedback_id, url FROM feedback_url WHERE feedback_id >= %s ORDER BY feedback_id, position",
                    (rows[0]["id"],),
                )
                for r in cur.fetchall():
                    urls.setdefault(r["feedback_id"], []).append(r["url"])
            for row in rows:
                row["created"] = _iso(row["created"])
                row["answer_urls"] = urls.get(row["id"], [])
            return rows

        return self._run(read, retry=False)

    def all(self) -> list[dict[str, Any]]:
        """Every stored row with its URLs, oldest first."""
        return self.rows()

    def declined(self, since: datetime | None = None) -> list[dict[str, Any]]:
        """Declined questions kept, oldest first."""

        def read(conn: psycopg.Connection) -> list[dict[str, Any]]:
            cur = conn.cursor(row_factory=dict_row)
            cur.execute(
                "SELECT created, question FROM declined WHERE created >= %s ORDER BY id",
                (since or datetime(1970, 1, 1, tzinfo=UTC),),
            )
            return [{"created": _iso(r["created"]), "question": r["question"]} for r in cur.fetchall()]

        return self._run(read, retry=False)

    def status(self) -> tuple[bool, str]:
        """(usable, plain message) for /api/health: the server answers and the schema is current."""
        try:
            with self._connection() as conn:
                conn.execute("SELECT 1")
        except (psycopg.Error, PoolTimeout) as exc:
            self._reset_pool()
            return False, f"The feedback database (PostgreSQL) cannot be reached: {_describe(exc)}."
        if self.last_error and self._error_was_connection:
            self.last_error = None  # the database is back: the failure no longer holds
        if self.last_error:
            return False, self.last_error
        return True, f"Feedback is stored in PostgreSQL (schema version {self._version})."
