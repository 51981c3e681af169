"""GET /api/projects, its downloads (.csv, .json) and GET /api/projects/<indigo_id>: the INDIGO project database."""

from __future__ import annotations

import re

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from search_api.projects import export
from search_api.projects import load as indigo
from search_api.projects import query as projects_query
from search_api.web.errors import ApiError
from search_api.web.params import reject_unknown
from search_api.web.vocabulary import InputError

bp = Blueprint("projects", __name__)
_ID = re.compile(r"INDIGO-POJ-\d{4}", re.I)


@bp.get("/api/projects")
def list_projects():
    try:
        query = projects_query.parse(request.args.to_dict(flat=False))
        return jsonify(projects_query.run(indigo.load_projects(), query))
    except InputError as exc:
        raise ApiError.bad_input(exc) from None


def _download_query() -> projects_query.Query:
    # The same filters, checked the same way, as /api/projects; a download has no pages.
    try:
        return projects_query.parse(request.args.to_dict(flat=False), projects_query.FILTERS)
    except InputError as exc:
        raise ApiError.bad_input(exc) from None


def _attachment(resp: Response, name: str) -> Response:
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@bp.get("/api/projects.csv")
def download_csv():
    query = _download_query()
    body = export.to_csv(indigo.load_projects(), query)
    resp = Response(body, mimetype="text/csv")
    resp.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
    return _attachment(resp, export.filename(query, "csv"))


@bp.get("/api/projects.json")
def download_json():
    query = _download_query()
    return _attachment(jsonify(export.to_json(indigo.load_projects(), query)), export.filename(query, "json"))


@bp.get("/api/projects/<indigo_id>")
def get_project(indigo_id: str):
    reject_unknown(request.args.keys(), ())
    project = indigo.get_project(indigo_id) if _ID.fullmatch(indigo_id) else None
    if project is None:
        raise ApiError(
            404, "not_found", f"No project has the INDIGO id {indigo_id[:40]!r}. Ids look like INDIGO-POJ-0153."
        )
    return jsonify(
        {"credit": projects_query.CREDIT_BODY, "project": projects_query.detail(project, indigo.organisations())}
    )


def _credit(resp: Response) -> Response:
    # Every projects response credits INDIGO, errors included (404, 405...), keeping the error shape.
    if request.path.startswith(("/api/projects/", "/api/projects.")) or request.path == "/api/projects":
        _add_credit(resp)
    return resp


def _add_credit(resp: Response) -> None:
    if resp.is_json:
        body = resp.get_json(silent=True)
        if isinstance(body, dict) and "credit" not in body:
            body["credit"] = projects_query.CREDIT_BODY
            resp.set_data(current_app.json.dumps(body))


def register(app: Flask) -> None:
    """Add the projects endpoints to the app."""
    app.register_blueprint(bp)
    app.after_request(_credit)
