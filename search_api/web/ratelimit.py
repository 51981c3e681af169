"""Rate limits per client address for search, ask and feedback (Flask-Limiter).

Each app gets its own Limiter, so its counters (in memory by default) are its own. Behind
a reverse proxy, ProxyFix takes the client address from X-Forwarded-For, but only for the
number of proxies configured: by default the header is ignored, so it cannot be spoofed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import Flask, current_app
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import parse_many
from limits.errors import ConfigurationError
from werkzeug.middleware.proxy_fix import ProxyFix

from search_api.config import Settings
from search_api.web.errors import ApiError, error_response

# Config key -> (environment variable, Settings field). Limits use the `limits` notation:
# "120/minute", "10/minute;200/day".
LIMITS: dict[str, tuple[str, str]] = {
    "RATELIMIT_SEARCH": ("SOP_RATELIMIT_SEARCH", "ratelimit_search"),
    "RATELIMIT_ASK": ("SOP_RATELIMIT_ASK", "ratelimit_ask"),
    "RATELIMIT_FEEDBACK": ("SOP_RATELIMIT_FEEDBACK", "ratelimit_feedback"),
}
# Path -> the config key of its limit. Search and its filters share one budget.
LIMITED_PATHS: dict[str, str] = {
    "/api/search": "RATELIMIT_SEARCH",
    "/api/search/filters": "RATELIMIT_SEARCH",
    "/api/ask": "RATELIMIT_ASK",
    "/api/feedback": "RATELIMIT_FEEDBACK",
}


def _settings(app: Flask, settings: Settings) -> None:
    """Fill the rate-limit config from the settings where the caller set nothing."""
    cfg = app.config
    cfg.setdefault("RATELIMIT_ENABLED", settings.ratelimit_enabled)
    cfg.setdefault("RATELIMIT_STORAGE_URI", settings.ratelimit_storage_url)
    # A moving window: no double burst at the edge of a fixed minute.
    cfg.setdefault("RATELIMIT_STRATEGY", "moving-window")
    # If shared storage (Redis) is down, keep answering with per-process counters.
    cfg.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    cfg.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    if str(cfg["RATELIMIT_STORAGE_URI"]).startswith(("redis://", "rediss://", "redis+")):
        # A Redis that stops answering must cost a request a second at most, never hang it.
        cfg.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1})
    cfg.setdefault("PROXY_HOPS", settings.proxy_hops)
    for key, (env, name) in LIMITS.items():
        cfg.setdefault(key, getattr(settings, name))
        try:
            parse_many(cfg[key])
        except ValueError as err:
            raise ValueError(f"{env} / {key} = {cfg[key]!r} is not a rate limit such as '30/minute'") from err


def _limit_for(key: str) -> Callable[[], str]:
    """A limit read per request, so it follows the app's config."""
    return lambda: current_app.config[key]


def register(app: Flask, settings: Settings) -> Limiter:
    """Trust X-Forwarded-For for PROXY_HOPS proxies and limit the costly endpoints per address."""
    _settings(app, settings)
    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    limiter = Limiter(key_func=get_remote_address, key_prefix="sop")
    try:
        limiter.init_app(app)
    except ConfigurationError as err:
        raise RuntimeError(
            f"SOP_RATELIMIT_STORAGE_URL={app.config['RATELIMIT_STORAGE_URI']!r} cannot be used: {err}. "
            "Use memory:// or redis://host:6379 (the Redis client is in requirements.txt)."
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


def storage_status(app: Flask) -> tuple[str, str]:
    """("ok" or "degraded", plain message): where this process counts requests now."""
    url = str(app.config.get("RATELIMIT_STORAGE_URI", "memory://"))
    limiter = app.extensions.get("sop_limiter")
    if not app.config.get("RATELIMIT_ENABLED", True) or limiter is None:
        return "ok", "Rate limiting is off (SOP_RATELIMIT_ENABLED=0)."
    if url.startswith("memory://"):
        return "ok", "Counted in memory: each worker counts on its own (set SOP_RATELIMIT_STORAGE_URL to share)."
    # Flask-Limiter (pinned) marks its storage dead after a failed hit and counts in memory
    # until a later request finds it again; it has no public flag for this.
    dead = bool(getattr(limiter, "_storage_dead", False))
    try:
        reachable = bool(limiter.storage.check())
    except Exception:  # noqa: BLE001 - a storage error is exactly what this reports
        reachable = False
    if dead or not reachable:
        state = "cannot be reached" if not reachable else "is back; shared counting resumes within a minute"
        return "degraded", f"The shared rate-limit store (Redis) {state}: each worker counts in memory meanwhile."
    return "ok", "Counted in Redis: every worker and server shares one budget per address."
