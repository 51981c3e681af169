"""GET /api/feasibility/questions and POST /api/feasibility: the assessor over HTTP."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, jsonify, request
from werkzeug.exceptions import MethodNotAllowed

from search_api.feasibility.assess import assess, questionnaire, report_markdown, validate
from search_api.web.errors import ApiError
from search_api.web.params import json_object, reject_unknown

bp = Blueprint("feasibility", __name__)
BODY_FIELDS = ["answers"]


@bp.get("/api/feasibility/questions")
def questions_view():
    reject_unknown(request.args.keys(), ())
    return jsonify(questionnaire())


def _body() -> dict[str, Any]:
    """The JSON object sent, or the ApiError that says what is wrong with it."""
    body = json_object('{"answers": {...}}')
    unknown = sorted(set(body) - set(BODY_FIELDS))
    if unknown:
        raise ApiError(
            400, "unknown_field", f"Unknown field(s): {', '.join(unknown)}.", field=unknown[0], allowed=BODY_FIELDS
        )
    if "answers" not in body:
        raise ApiError(400, "missing_field", "'answers' is required (it may be an empty object).", field="answers")
    return body


@bp.post("/api/feasibility")
def assess_view():
    reject_unknown(request.args.keys(), ())
    answers, problems = validate(_body()["answers"])
    if problems:
        fields = ", ".join(p["field"] for p in problems)
        raise ApiError(
            400,
            "invalid_answers",
            f"{len(problems)} answer(s) are not valid: {fields}.",
            field=problems[0]["field"],
            details=problems,
        )
    result = assess(answers)
    result["markdown"] = report_markdown(result, base_url=request.host_url)
    return jsonify(result)


@bp.get("/api/feasibility")
def assess_get_view():
    # A route of its own so the 405 says how to call the assessor; errors.py adds Allow.
    raise MethodNotAllowed(
        valid_methods=["POST"],
        description='Use POST with a JSON body such as {"answers": {...}}; '
        "GET /api/feasibility/questions lists the questions.",
    )


def register(app: Flask) -> None:
    """Add the feasibility endpoints to the app."""
    app.register_blueprint(bp)
