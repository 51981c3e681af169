"""GET /api/health: is the hub able to answer, and is its index up to date."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from . import index_store
from .embedder import MODEL_NAME, ModelMissingError, resolve_model_path

bp = Blueprint("health", __name__)


@bp.get("/api/health")
def health():
    res = current_app.extensions["sop"]
    body: dict = {"status": "ok", "model": MODEL_NAME, "index": None, "problems": []}
    try:
        if res.uses_disk_model:
            resolve_model_path(res.settings.model_path)
    except ModelMissingError as exc:
        body["problems"].append({"code": "model_missing", "message": str(exc)})
    try:
        manifest = res.index().stored.manifest
        body["index"] = {
            "version": manifest["version"],
            "chunk_count": manifest["chunk_count"],
            "page_count": manifest.get("page_count"),
            "built_at": manifest["built_at"],
            "content_hash": manifest.get("content_hash"),
            "model": manifest.get("model"),
            "dimension": manifest.get("dimension"),
            "stale": manifest.get("source_fingerprint") != res.fingerprint(),
        }
    except index_store.IndexError_ as exc:
        body["problems"].append({"code": "index_unavailable", "message": str(exc)})
    if res.index_error and body["index"] is not None:
        body["problems"].append({"code": "index_reload_failed", "message": res.index_error})
    if body["problems"]:
        body["status"] = "degraded"
    return jsonify(body)
