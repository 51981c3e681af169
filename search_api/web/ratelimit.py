"""Rate limits per client address for search, ask and feedback (Flask-Limiter).

Each app gets its own Limiter, so its counters (in memory by default) are its own. Behind
a reverse proxy, ProxyFix takes the client address from X-Forwarded-For, but only for the
number of proxies configured: by default the header is ignored, so it cannot be spoofed.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable

from flask import Flask, current_app
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import parse_many
from limits.errors import ConfigurationError
from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import ApiError, error_response

# Config key -> (environment variable, default). Limits use the `limits` notation:
# "120/minute", "10/minute;200/day".
LIMITS: dict[str, tuple[str, str]] = {
    "RATELIMIT_SEARCH": ("SOP_RATELIMIT_SEARCH", "120/minute"),
    "RATELIMIT_ASK": ("SOP_RATELIMIT_ASK", "30/minute"),
    "RATELIMIT_FEEDBACK": ("SOP_RATELIMIT_FEEDBACK", "10/minute"),
}
# Path -> the config key of its limit. Search and its filters share one budget.
LIMITED_PATHS: dict[str, str] = {
    "/api/search": "RATELIMIT_SEARCH",
    "/api/search/filters": "RATELIMIT_SEARCH",
    "/api/ask": "RATELIMIT_ASK",
    "/api/feedback": "RATELIMIT_FEEDBACK",
}
_OFF = {"0", "false", "no", "off"}


def env_flag(name: str, default: bool) -> bool:
    """A yes/no environment variable: 0, false, no and off mean no."""
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() not in _OFF


def _settings(app: Flask) -> None:
    """Fill the rate-limit config from SOP_* variables where the caller set nothing."""
    cfg = app.config
    cfg.setdefault("RATELIMIT_ENABLED", env_flag("SOP_RATELIMIT_ENABLED", True))
    cfg.setdefault("RATELIMIT_STORAGE_URI", os.environ.get("SOP_RATELIMIT_STORAGE_URL") or "memory://")
    # A moving window: no double burst at the edge of a fixed minute.
    cfg.setdefault("RATELIMIT_STRATEGY", "moving-window")
    # If shared storage (Redis) is down, keep answering with per-process counters.
    cfg.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    cfg.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    cfg.setdefault("PROXY_HOPS", int(os.environ.get("SOP_PROXY_HOPS", "0") or 0))
    for key, (env, default) in LIMITS.items():
        cfg.setdefault(key, os.environ.get(env) or default)
        try:
            parse_many(cfg[key])
        except ValueError as err:
            raise ValueError(f"{env} / {key} = {cfg[key]!r} is not a rate limit such as '30/minute'") from err


def _limit_for(key: str) -> Callable[[], str]:
    """A limit read per request, so it follows the app's config."""
    return lambda: current_app.config[key]


def register(app: Flask) -> Limiter:
    """Trust X-Forwarded-For for PROXY_HOPS proxies and limit the costly endpoints per address."""
    _settings(app)
    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    limiter = Limiter(key_func=get_remote_address, key_prefix="sop")
    try:
        limiter.init_app(app)
    except ConfigurationError as err:
        raise RuntimeError(
            f"SOP_RATELIMIT_STORAGE_URL={app.config['RATELIMIT_STORAGE_URI']!r} cannot be used: {err}. "
            "A redis:// URL needs the Redis client: pip install redis==8.1.0"
        ) from err
    app.extensions["sop_limiter"] = limiter
    rules = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}
    for path, key in LIMITED_PATHS.items():
        if path not in rules:
            raise RuntimeError(f"rate limit for {path}: no such route")
        endpoint = rules[path]
        scope = key.removeprefix("RATELIMIT_").lower()
        app.view_functions[endpoint] = limiter.shared_limit(_limit_for(key), scope=scope)(app.view_functions[endpoint])

    @app.errorhandler(RateLimitExceeded)
    def _too_many(err: RateLimitExceeded):
        retry = _retry_after(limiter)
        unit = "second" if retry == 1 else "seconds"
        resp, status = error_response(
            ApiError(429, "rate_limited", f"Too many requests from your address. Try again in {retry} {unit}.")
        )
        resp.headers["Retry-After"] = str(retry)
        return resp, status

    return limiter


def _retry_after(limiter: Limiter) -> int:
    """Whole seconds until the breached limit lets this address in again (at least 1)."""
    try:
        current = limiter.current_limit
        if current is not None:
            return max(1, math.ceil(current.reset_at - time.time()))
    except Exception:  # noqa: BLE001 - storage trouble must not turn a 429 into a 500
        pass
    return 60
