"""Serve the built static site at / from the same process as the API."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory
from werkzeug.routing import PathConverter

from search_api import state
from search_api.web import compress

bp = Blueprint("site", __name__)


class SitePath(PathConverter):
    """Any path but the API's: /api/ addresses never match the site, so routing gives them
    a 404, or a 405 whose Allow (and OPTIONS) lists only the API's own methods."""

    regex = r"(?!api(?:/|$))[^/].*?"


bp.record_once(lambda state: state.app.url_map.converters.setdefault("site_path", SitePath))


def _site_dir() -> Path:
    return state.resources().settings.site_dir


@bp.get("/", defaults={"path": ""})
@bp.get("/<site_path:path>")
def page(path: str):
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
    return compress.send(site, path)
