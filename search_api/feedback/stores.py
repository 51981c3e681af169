"""The feedback store chosen by SOP_FEEDBACK_URL: SQLite (the default) or PostgreSQL, one interface."""

from __future__ import annotations

import logging
import re
import sqlite3
from datetime import datetime
from typing import Any, Protocol

import psycopg
from flask import Flask, current_app
from psycopg_pool import PoolTimeout

from search_api import state
from search_api.ask.guardrails import personal_data
from search_api.config import Settings
from search_api.feedback.postgres import PostgresFeedbackStore
from search_api.feedback.report import normalise_question
from search_api.feedback.store import FeedbackStore, path_from_url

log = logging.getLogger("search_api.feedback")
# What a store raises when it cannot do its work: the API answers 503 feedback_unavailable.
STORE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error, OSError, psycopg.Error, PoolTimeout)
_PASSWORD = re.compile(r"(://[^:/@]*):[^@/]*@")


class Store(Protocol):
    """What the API, health and the `sophub feedback-*` commands need of a store."""

    kind: str
    last_error: str | None

    def add(
        self,
        rating: str,
        question: str | None = None,
        answer_urls: list[str] | None = None,
        comment: str | None = None,
        page: str | None = None,
        route: str | None = None,
    ) -> int: ...

    def add_declined(self, question: str) -> None: ...

    def prune(self, before: datetime) -> dict[str, int]: ...

    def rows(self, since: datetime | None = None) -> list[dict[str, Any]]: ...

    def declined(self, since: datetime | None = None) -> list[dict[str, Any]]: ...

    def close(self) -> None: ...


def redact(url: str) -> str:
    """A database URL fit for a log line or an error message: the password hidden."""
    return _PASSWORD.sub(r"\1:***@", url)


def open_store(settings: Settings) -> Store:
    """The store SOP_FEEDBACK_URL names; unset means SQLite in the instance folder."""
    url = (settings.feedback_url or "").strip()
    if not url:
        return FeedbackStore(settings.instance_dir)
    if url.startswith("sqlite:"):
        return FeedbackStore(settings.instance_dir, path=path_from_url(url))
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresFeedbackStore(url)
    raise ValueError(
        f"SOP_FEEDBACK_URL={redact(url)!r} is not a feedback store: use sqlite:///path/file.sqlite3 "
        "or postgresql://user:password@host:5432/database"
    )


def register(app: Flask) -> Store:
    """Open the app's store and bring its schema up to date now; a database that is down does not stop the app."""
    store = open_store(state.resources(app).settings)
    app.extensions["feedback"] = store
    if isinstance(store, PostgresFeedbackStore):
        store.migrate_now()
    return store


def store_for_app() -> Store:
    """The current app's store (opened on first use by apps built without register)."""
    store = current_app.extensions.get("feedback")
    if store is None:
        store = current_app.extensions["feedback"] = open_store(state.resources().settings)
    return store


def keep_declined(store: Store, question: str | None, enabled: bool) -> bool:
    """Keep a declined question when the operator asked for it and it holds no personal data."""
    if not enabled or not question or personal_data(question):
        return False
    text = normalise_question(question)
    if not text or personal_data(text):
        return False
    try:
        store.add_declined(text)
    except STORE_ERRORS as exc:
        # Only a missed statistic: the reader already has the answer.
        log.warning("declined question not kept: %s", type(exc).__name__)
        return False
    return True
