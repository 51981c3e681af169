"""POST /api/ask (the guidance chatbot) and POST /api/feedback (thumbs up or down)."""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from search_api.ask.answer import answer_question
from search_api.ask.guardrails import (
    MAX_COMMENT,
    MAX_QUESTION,
    clean_text,
    history_errors,
    personal_data,
    personal_data_message,
)
from search_api.feedback.store import FeedbackStore
from search_api.index import store as index_store
from search_api.index.embedder import ModelMissingError
from search_api.search.degraded import words_only_reply
from search_api.web.errors import ApiError
from search_api.web.params import choice_param, reject_unknown

bp = Blueprint("ask", __name__)
# Never log what the reader typed: it may hold personal data. Only the route and timings.
log = logging.getLogger("search_api.ask")
MAX_URL = 300
MAX_URLS = 8
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def json_body() -> dict[str, Any]:
    """The request body as a JSON object: 415 when not JSON, 400 when malformed."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send the body as JSON with Content-Type: application/json.")
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        # json.loads gives up on very deep nesting with RecursionError, not ValueError.
        body = None
    if body is None:
        raise ApiError(400, "invalid_json", "The body is not valid JSON.")
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "The body must be a JSON object.")
    return body


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
    res = current_app.extensions["sop"]
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
    result["took_ms"] = round(took, 2)
    return jsonify(result)


def feedback_store() -> FeedbackStore:
    """The app's feedback store, in the instance folder."""
    res = current_app.extensions["sop"]
    if "feedback" not in current_app.extensions:
        current_app.extensions["feedback"] = FeedbackStore(res.settings.instance_dir)
    return current_app.extensions["feedback"]


@bp.post("/api/feedback")
def feedback_view():
    reject_unknown(request.args.keys(), ())
    body = json_body()
    reject_unknown(body.keys(), ("question", "answer_urls", "rating", "comment", "page"))
    if body.get("rating") is None:
        raise ApiError(
            400, "missing_parameter", "'rating' is required: 'up' or 'down'.", field="rating", allowed=["up", "down"]
        )
    if not isinstance(body["rating"], str):
        raise ApiError(400, "invalid_type", "'rating' must be 'up' or 'down'.", field="rating", allowed=["up", "down"])
    rating = choice_param(body, "rating", ["up", "down"], blank=False)
    question = text_field(body, "question", MAX_QUESTION, required=False)
    comment = text_field(body, "comment", MAX_COMMENT, required=False)
    refuse_personal_data("question", question)
    refuse_personal_data("comment", comment)
    urls = body.get("answer_urls")
    urls = [] if urls is None else urls
    if not isinstance(urls, list) or len(urls) > MAX_URLS:
        raise ApiError(
            400, "invalid_type", f"'answer_urls' must be a list of at most {MAX_URLS} paths.", field="answer_urls"
        )
    urls = [site_path(u, f"answer_urls[{i}]") for i, u in enumerate(urls)]
    page = site_path(body["page"], "page") if body.get("page") is not None else None
    try:
        row_id = feedback_store().add(rating or "up", question, urls, comment, page)
    except (sqlite3.Error, OSError) as exc:
        log.error("feedback not stored: %s: %s", type(exc).__name__, exc)
        raise ApiError(
            503, "feedback_unavailable", "Feedback could not be saved; nothing was stored. Try again later."
        ) from exc
    return jsonify({"stored": True, "id": row_id}), 201


def register(app: Flask) -> None:
    """Add the chatbot and feedback endpoints to the app."""
    app.register_blueprint(bp)
