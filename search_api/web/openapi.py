"""GET /api/openapi.json: the OpenAPI 3.1 description kept as data in openapi.yaml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, Flask, jsonify, request

from search_api.web.params import reject_unknown

SPEC_FILE = Path(__file__).with_name("openapi.yaml")
bp = Blueprint("openapi", __name__)


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The OpenAPI document, read once per process."""
    return yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))


@bp.get("/api/openapi.json")
def openapi_view():
    reject_unknown(request.args.keys(), ())
    return jsonify(document())


def register(app: Flask) -> None:
    """Add the OpenAPI endpoint to the app."""
    app.register_blueprint(bp)
