"""POST /api/ask (the guidance chatbot); the request helpers POST /api/feedback shares."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from flask import Blueprint, Flask, jsonify, request

from search_api import state
from search_api.ask.answer import answer_question
from search_api.ask.guardrails import (
    MAX_QUESTION,
    clean_text,
    history_errors,
    personal_data,
    personal_data_message,
)
from search_api.feedback.stores import keep_declined, store_for_app
from search_api.index import store as index_store
from search_api.index.embedder import ModelMissingError
from search_api.search.degraded import words_only_reply
from search_api.web.errors import ApiError
from search_api.web.params import json_object, reject_unknown

bp = Blueprint("ask", __name__)
# Never log what the reader typed: it may hold personal data. Only the route and timings.
log = logging.getLogger("search_api.ask")
MAX_URL = 300
MAX_URLS = 8
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def json_body() -> dict[str, Any]:
    """The request body as a JSON object (the one parser every endpoint uses)."""
    return json_object('{"question": "..."}')


def text_field(body: dict[str, Any], name: str, max_len: int, required: bool) -> str | None:
    """A string field, cleaned of invisible characters, 1..max_len characters long."""
    value = body.get(name)
    if value is None:
        if required:
            raise ApiError(400, "missing_parameter", f"'{name}' is required.", field=name)
        return None
    if not isinstance(value, str):
        raise ApiError(400, "invalid_type", f"'{name}' must be a string.", field=name)
    # The limit holds for the text as sent too, not only once invisible characters are removed.
    if len(value) > max_len:
        raise ApiError(400, "too_long", f"'{name}' must be at most {max_len} characters.", field=name)
    value = clean_text(value)
    if not value and required:
        raise ApiError(400, "missing_parameter", f"'{name}' must not be empty.", field=name)
    if len(value) > max_len:
        raise ApiError(400, "too_long", f"'{name}' must be at most {max_len} characters.", field=name)
    return value or None


def refuse_personal_data(name: str, value: str | None) -> None:
    """400 when a stored field would hold personal data."""
    kinds = personal_data(value or "")
    if kinds:
        raise ApiError(400, "personal_data", personal_data_message(kinds), field=name)


def site_path(value: Any, name: str) -> str:
    """A path on this site ("/guidance/...#anchor"), never another host or scheme."""
    if not isinstance(value, str):
        raise ApiError(400, "invalid_type", f"'{name}' must be a string.", field=name)
    if not value.startswith("/") or value.startswith("//") or len(value) > MAX_URL or _CONTROL.search(value):
        raise ApiError(
            400,
            "invalid_value",
            f"'{name}' must be a path on this site of at most {MAX_URL} characters, without control characters.",
            field=name,
        )
    return value


@bp.post("/api/ask")
def ask_view():
    started = time.perf_counter()
    reject_unknown(request.args.keys(), ())
    body = json_body()
    reject_unknown(body.keys(), ("question", "history"))
    question = text_field(body, "question", MAX_QUESTION, required=True)
    problems = history_errors(body.get("history"))
    if problems:
        raise ApiError(400, "invalid_history", problems[0]["message"], field=problems[0]["field"], details=problems)
    res = state.resources()
    try:
        result = answer_question(res, question or "", body.get("history"))
    except (index_store.IndexError_, ModelMissingError):
        # Without the model or index no answer can be checked: say so and list matching pages.
        result = words_only_reply(res, question or "", body.get("history"))
    took = (time.perf_counter() - started) * 1000
    log.info(
        "ask route=%s answered=%s confidence=%.3f took_ms=%.1f",
        result["route"],
        result["answered"],
        result["confidence"],
        took,
    )
    if result["route"] == "declined":
        # Only with SOP_LOG_DECLINED=1, and never with personal data: what the content team should write next.
        keep_declined(store_for_app(), question, res.settings.log_declined)
    result["took_ms"] = round(took, 2)
    return jsonify(result)


def register(app: Flask) -> None:
    """Add the chatbot endpoint to the app."""
    app.register_blueprint(bp)
