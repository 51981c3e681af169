"""GET /api/health: which parts of the hub work, in plain words; always HTTP 200 so the site stays routable."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from search_api import state
from search_api.feedback import stores
from search_api.index import store as index_store
from search_api.index.embedder import MODEL_NAME, ModelMissingError, resolve_model_path
from search_api.state import Resources
from search_api.web import ratelimit
from search_api.web.params import reject_unknown

bp = Blueprint("health", __name__)
Component = dict[str, Any]


def component(status: str, message: str, **extra: Any) -> Component:
    """One part's state: ok, degraded (works, but not fully) or unavailable."""
    return {"status": status, "message": message, **extra}


def index_part(res: Resources, body: dict[str, Any]) -> Component:
    """The dense index: loaded, serving an older version after a failed reload, or down."""
    try:
        manifest = res.index().stored.manifest
    except index_store.IndexError_ as exc:
        body["problems"].append({"code": "index_unavailable", "message": str(exc)})
        return component("unavailable", str(exc))
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
    if res.index_error:
        message = f"Serving version {manifest['version']}; a newer version failed to load. {res.index_error}"
        body["problems"].append({"code": "index_reload_failed", "message": res.index_error})
        return component("degraded", message)
    return component("ok", f"Version {manifest['version']}, {manifest['chunk_count']} sections.")


def model_part(res: Resources, body: dict[str, Any]) -> Component:
    """The query encoder, and the model folder that index builds and the torch fallback need."""
    try:
        encoder = res.encoder()
    except ModelMissingError as exc:
        body["problems"].append({"code": "model_missing", "message": str(exc)})
        return component("unavailable", str(exc), encoder=None)
    kind = {"OnnxEncoder": "onnx", "TorchEncoder": "torch"}.get(type(encoder).__name__, "custom")
    problems: list[dict[str, str]] = [{"code": "onnx_unavailable", "message": n} for n in res.encoder_notes]
    if res.uses_disk_model:
        try:
            resolve_model_path(res.settings.model_path)
        except ModelMissingError as exc:
            problems.append({"code": "model_missing", "message": f"{exc} Queries use the ONNX export meanwhile."})
    body["problems"].extend(problems)
    if problems:
        return component("degraded", " ".join(p["message"] for p in problems), encoder=kind)
    return component("ok", f"Queries are embedded with {MODEL_NAME} ({kind}).", encoder=kind)


def lexical_part(res: Resources, body: dict[str, Any]) -> Component:
    """Word-matching search (BM25): from the index, or built from whatever can still be read."""
    try:
        loaded = res.search_index()
    except index_store.IndexError_ as exc:
        body["problems"].append({"code": "lexical_unavailable", "message": str(exc)})
        return component("unavailable", str(exc))
    if loaded.lexical_only:
        return component("ok", f"Serving words-only search from {loaded.source} while the index is down.")
    if loaded.bm25_rebuilt:
        message = "The saved word index was unreadable and was rebuilt in memory. Rebuild with `make index`."
        body["problems"].append({"code": "bm25_rebuilt", "message": message})
        return component("degraded", message)
    return component("ok", "Saved with the index.")


def _writable(folder: Path) -> bool:
    """True when the folder, or the nearest folder above it that exists, can be written."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate.is_dir() and os.access(candidate, os.W_OK | os.X_OK)
    return False


def feedback_part(res: Resources, body: dict[str, Any]) -> Component:
    """The feedback store: PostgreSQL answering, or the SQLite file's folder usable; a failed last write reported."""
    store = stores.store_for_app()
    if store.kind == "postgresql":
        usable, message = store.status()  # type: ignore[attr-defined]
        if usable:
            return component("ok", message)
        body["problems"].append({"code": "feedback_unavailable", "message": message})
        return component("unavailable", message)
    path = Path(store.path)  # type: ignore[attr-defined]
    folder = path.parent
    if store.last_error:
        message = store.last_error
    elif folder.exists() and not folder.is_dir():
        message = "The instance folder (SOP_INSTANCE_DIR) is a file, not a folder."
    elif path.exists() and not path.is_file():
        message = f"The feedback database ({path.name}) is not a file."
    elif not _writable(folder):
        message = "The instance folder (SOP_INSTANCE_DIR) cannot be written."
    else:
        return component("ok", "Feedback can be stored.")
    body["problems"].append({"code": "feedback_unavailable", "message": message})
    return component("unavailable", message)


def rate_limit_part(body: dict[str, Any]) -> Component:
    """Where rate-limit counts live: shared in Redis, or in each worker's memory (also while Redis is down)."""
    status, message = ratelimit.storage_status(current_app)
    if status != "ok":
        body["problems"].append({"code": "rate_limit_storage_down", "message": message})
    return component(status, message)


def site_part(res: Resources, body: dict[str, Any]) -> Component:
    """The built static site this process serves at /."""
    if (Path(res.settings.site_dir) / "index.html").is_file():
        return component("ok", "The built site is served at /.")
    message = "The built site is missing (no index.html in SOP_SITE_DIR). Build it with `make site`."
    body["problems"].append({"code": "site_missing", "message": message})
    return component("unavailable", message)


@bp.get("/api/health")
def health():
    reject_unknown(request.args.keys(), ())
    res = state.resources()
    body: dict = {"status": "ok", "model": MODEL_NAME, "index": None, "problems": []}
    parts = {
        "index": index_part(res, body),
        "model": model_part(res, body),
        "lexical": lexical_part(res, body),
        "feedback": feedback_part(res, body),
        "site": site_part(res, body),
        "rate_limits": rate_limit_part(body),
    }
    dense = parts["index"]["status"] != "unavailable" and parts["model"]["status"] != "unavailable"
    lexical = parts["lexical"]["status"] != "unavailable"
    body["search"] = "hybrid" if dense else "words_only" if lexical else "unavailable"
    body["components"] = parts
    if body["problems"] or any(p["status"] != "ok" for p in parts.values()):
        body["status"] = "degraded"
    # Always 200: a load balancer keeps routing (the site and feasibility tool still work);
    # monitoring reads "status" and "components".
    return jsonify(body)
