"""Security headers on every response and CORS for configured origins on /api/ only.

The site's Content-Security-Policy allows no inline script except those the site build
hashed (hooks/csp.py writes their sha256 hashes to site/_hub/csp.json). API responses
are JSON, so they get a policy that allows nothing at all.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from pathlib import Path

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import MethodNotAllowed, NotFound

from search_api import paths, state
from search_api.config import Settings

CSP_FILE = paths.CSP_FILE
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Headers a cross-origin page may send (JSON bodies) and read (when to retry after a 429).
CORS_ALLOW_HEADERS = "Content-Type, Accept"
CORS_EXPOSE_HEADERS = "Retry-After"
CORS_MAX_AGE = "600"
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")

log = logging.getLogger(__name__)


def site_policy(script_hashes: Iterable[str], connect_src: Iterable[str] = ()) -> str:
    """The site's CSP: scripts from the site or with a known hash; no plugins, framing or foreign forms."""
    scripts = " ".join(f"'{h}'" for h in sorted(set(script_hashes)))
    connect = " ".join(sorted(set(connect_src)))
    directives = [
        "default-src 'self'",
        f"script-src 'self' {scripts}".rstrip(),
        # Material and Mermaid set style attributes and <style> elements at run time.
        "style-src 'self' 'unsafe-inline'",
        # Material's icons are data: URLs in its CSS.
        "img-src 'self' data:",
        "font-src 'self' data:",
        f"connect-src 'self' {connect}".rstrip(),
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


_cache: dict[Path, tuple[int, str]] = {}
_cache_lock = threading.Lock()


def site_policy_for(site_dir: Path) -> str:
    """The CSP for pages of the built site in site_dir; re-read when the site is rebuilt."""
    path = site_dir / CSP_FILE
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = -1
    cached = _cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    hashes: list[str] = []
    if mtime >= 0:
        try:
            hashes = list(json.loads(path.read_text(encoding="utf-8")).get("script_hashes", []))
        except (OSError, ValueError, AttributeError):
            log.warning("%s is unreadable: inline scripts of the site will be blocked", path)
    else:
        log.warning("%s is missing (site built without hooks/csp.py?): inline scripts will be blocked", path)
    # The API serves the site itself, so only same-origin connections are needed.
    policy = site_policy(hashes)
    with _cache_lock:
        _cache[path] = (mtime, policy)
    return policy


def parse_origins(value: str | Iterable[str] | None) -> frozenset[str]:
    """Origins from a comma-separated string or a list: `https://a.example`, or `*` for any."""
    if value is None:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else list(value)
    return frozenset(o.strip().rstrip("/").lower() for o in items if o and o.strip())


def _allowed_origin(origin: str | None) -> str | None:
    """The Access-Control-Allow-Origin value for this request's Origin, or None."""
    if not origin or not request.path.startswith("/api/"):
        return None
    origins: frozenset[str] = current_app.config["CORS_ORIGINS"]
    if "*" in origins:
        return "*"
    return origin if origin.rstrip("/").lower() in origins else None


def _methods_for(path: str) -> list[str]:
    """The methods an /api/ path answers (the site's catch-all does not count)."""
    adapter = current_app.url_map.bind("localhost")
    methods = []
    for method in _METHODS:
        try:
            endpoint, _ = adapter.match(path, method=method)
        except (NotFound, MethodNotAllowed):
            continue
        if endpoint != "site.page":
            methods.append(method)
    return methods


def _preflight() -> Response | None:
    """Answer a CORS preflight for an allowed origin; others get no CORS headers at all."""
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return None
    allow = _allowed_origin(request.headers.get("Origin"))
    methods = _methods_for(request.path) if allow else []
    if not methods:
        return None
    resp = Response(status=204)
    resp.headers["Access-Control-Allow-Origin"] = allow
    resp.headers["Access-Control-Allow-Methods"] = ", ".join(methods)
    resp.headers["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
    resp.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
    resp.headers["Vary"] = "Origin"
    return resp


def _add_headers(response: Response) -> Response:
    """Security headers on every response; CORS headers on /api/ responses to allowed origins."""
    headers = response.headers
    is_api = _is_api(request.path)
    if is_api:
        policy = API_POLICY
    else:
        policy = site_policy_for(state.resources().settings.site_dir)
    headers.setdefault("Content-Security-Policy", policy)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    if request.is_secure:
        # Only over HTTPS (behind a proxy: with SOP_PROXY_HOPS set), never on plain local HTTP.
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if is_api and current_app.config["CORS_ORIGINS"]:
        # Caches must not serve one origin's answer to another.
        response.vary.add("Origin")
        allow = _allowed_origin(request.headers.get("Origin"))
        if allow and "Access-Control-Allow-Origin" not in headers:
            headers["Access-Control-Allow-Origin"] = allow
            headers["Access-Control-Expose-Headers"] = CORS_EXPOSE_HEADERS
    # Never: cookies and credentials are not part of this API.
    headers.pop("Access-Control-Allow-Credentials", None)
    return response


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def register(app: Flask, settings: Settings) -> None:
    """Add the security headers and CORS (origins from CORS_ORIGINS or SOP_CORS_ORIGINS)."""
    app.config["CORS_ORIGINS"] = parse_origins(app.config.get("CORS_ORIGINS", settings.cors_origins))
    app.before_request(_preflight)
    app.after_request(_add_headers)
    default_options = app.make_default_options_response

    def _options_reply() -> Response:
        """Flask's automatic OPTIONS reply is an empty text/html 200; on /api/ say it plainly: 204 plus Allow."""
        if not _is_api(request.path):
            return default_options()
        reply = Response(status=204, headers={"Allow": default_options().headers["Allow"]})
        reply.headers.pop("Content-Type", None)  # no body, so no type
        return reply

    app.make_default_options_response = _options_reply  # type: ignore[method-assign]
