"""Serve the built static site at / from the same process as the API."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from werkzeug.exceptions import MethodNotAllowed, NotFound

from .errors import ApiError

bp = Blueprint("site", __name__)


def _site_dir() -> Path:
    return current_app.extensions["sop"].settings.site_dir


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def page(path: str):
    if path == "api" or path.startswith("api/"):
        _api_not_found("/" + path)
    site = _site_dir()
    target = (site / path).resolve()
    if site.resolve() not in target.parents and target != site.resolve():
        abort(404)
    if target.is_dir():
        if not path.endswith("/") and path:
            from flask import redirect

            return redirect("/" + path + "/", code=301)
        path = (path + "/index.html").lstrip("/")
    if not (site / path).is_file():
        not_found = site / "404.html"
        if not_found.is_file():
            return send_from_directory(site, "404.html"), 404
        abort(404)
    return send_from_directory(site, path)


def _api_not_found(path: str) -> None:
    """405 with Allow when the API path exists for other methods (e.g. GET /api/ask), else 404."""
    adapter = current_app.url_map.bind("localhost")
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            endpoint, _ = adapter.match(path, method=method)
        except (NotFound, MethodNotAllowed):
            continue
        if endpoint != "site.page":
            allowed.append(method)
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise ApiError(404, "not_found", "There is no API endpoint at this address.")
