"""GET /api/search: hybrid search over the hub."""

from __future__ import annotations

import time

from flask import Blueprint, Flask, current_app, jsonify, request

from . import index_store
from .errors import ApiError
from .params import choice_param, int_param, reject_unknown, text_param
from .retrieval import FILTER_FIELDS, MODES, filter_values, search

bp = Blueprint("search", __name__)
MAX_QUERY = 500


def hit_to_json(hit) -> dict:
    """The public shape of one result."""
    c = hit.chunk
    return {
        "title": c["title"],
        "section": c["section"],
        "url": c["url"],
        "snippet": hit.snippet,
        "highlights": hit.highlights,
        "score": round(hit.score, 6),
        "type": c.get("type"),
    }


def loaded_index():
    """The current index, or a 503 saying it is unavailable."""
    res = current_app.extensions["sop"]
    try:
        return res.index()
    except index_store.IndexError_ as exc:
        raise ApiError(503, "index_unavailable", f"Search is unavailable: {exc}") from exc


@bp.get("/api/search")
def search_view():
    started = time.perf_counter()
    args = request.args
    reject_unknown(args.keys(), ("q", "k", "mode", *FILTER_FIELDS))
    query = text_param(args, "q", MAX_QUERY)
    k = int_param(args, "k", 10, 1, 50)
    mode = choice_param(args, "mode", list(MODES)) or "hybrid"
    loaded = loaded_index()
    values = filter_values(loaded)
    filters = {f: choice_param(args, f, values[f]) for f in FILTER_FIELDS}
    res = current_app.extensions["sop"]
    hits = search(loaded, res.encoder() if mode != "bm25" else None, query, k, filters, mode)
    return jsonify(
        {
            "query": query,
            "results": [hit_to_json(h) for h in hits],
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
        }
    )


@bp.get("/api/search/filters")
def filters_view():
    reject_unknown(request.args.keys(), ())
    return jsonify({"filters": filter_values(loaded_index())})


def register(app: Flask) -> None:
    """Add the search endpoints to the app."""
    app.register_blueprint(bp)
