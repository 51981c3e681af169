"""POST /api/feedback: a thumbs up or down on an answer, stored in the store SOP_FEEDBACK_URL names."""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Flask, jsonify, request

from search_api.ask.guardrails import MAX_COMMENT, MAX_QUESTION
from search_api.ask.views import MAX_URLS, json_body, refuse_personal_data, site_path, text_field
from search_api.feedback import stores
from search_api.web.errors import ApiError
from search_api.web.params import choice_param, reject_unknown

bp = Blueprint("feedback", __name__)
log = logging.getLogger("search_api.feedback")
# The chatbot's route names (answered, declined, project...): lower-case words joined by "_".
_ROUTE = re.compile(r"[a-z][a-z_]{0,39}")
UNAVAILABLE = "Feedback could not be saved; nothing was stored. Try again later."


def route_field(body: dict) -> str | None:
    """The answer's route as the chatbot named it, or None."""
    value = body.get("route")
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, "invalid_type", "'route' must be a string such as 'answered'.", field="route")
    if not _ROUTE.fullmatch(value):
        raise ApiError(
            400, "invalid_value", "'route' must be the chatbot's route name, such as 'answered'.", field="route"
        )
    return value


@bp.post("/api/feedback")
def feedback_view():
    reject_unknown(request.args.keys(), ())
    body = json_body()
    reject_unknown(body.keys(), ("question", "answer_urls", "rating", "comment", "page", "route"))
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
    route = route_field(body)
    try:
        row_id = stores.store_for_app().add(rating or "up", question, urls, comment, page, route)
    except stores.STORE_ERRORS as exc:
        # The reason, never the reader's text: the store's own message names the failure.
        log.error("feedback not stored: %s: %s", type(exc).__name__, stores.redact(str(exc)))
        raise ApiError(503, "feedback_unavailable", UNAVAILABLE) from exc
    return jsonify({"stored": True, "id": row_id}), 201


def register(app: Flask) -> None:
    """Open the feedback store (migrating its schema now) and add the feedback endpoint."""
    stores.register(app)
    app.register_blueprint(bp)
