"""GET /api/search: hybrid search over the hub."""

from __future__ import annotations

import time

from flask import Blueprint, Flask, jsonify, request

from search_api import state
from search_api.search.degraded import degraded_fields, search_plan
from search_api.search.retrieval import FILTER_FIELDS, MODES, filter_values, search
from search_api.web.params import choice_param, int_param, reject_repeated, reject_unknown, text_param

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


@bp.get("/api/search")
def search_view():
    started = time.perf_counter()
    args = request.args
    reject_unknown(args.keys(), ("q", "k", "mode", *FILTER_FIELDS))
    reject_repeated(args)
    query = text_param(args, "q", MAX_QUERY)
    k = int_param(args, "k", 10, 1, 50)
    mode = choice_param(args, "mode", list(MODES), blank=False) or "hybrid"
    # Words only (and saying so) when the index or the model is down: never a 500.
    plan = search_plan(state.resources(), mode)
    values = filter_values(plan.loaded)
    filters = {f: choice_param(args, f, values[f]) for f in FILTER_FIELDS}
    hits = search(plan.loaded, plan.encoder, query, k, filters, plan.mode)
    return jsonify(
        {
            "query": query,
            "results": [hit_to_json(h) for h in hits],
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
            **degraded_fields(plan),
        }
    )


@bp.get("/api/search/filters")
def filters_view():
    reject_unknown(request.args.keys(), ())
    return jsonify({"filters": filter_values(search_plan(state.resources(), "bm25").loaded)})


def register(app: Flask) -> None:
    """Add the search endpoints to the app."""
    app.register_blueprint(bp)
