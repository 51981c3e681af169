"""MkDocs hook: hash every inline script so the Content-Security-Policy needs no 'unsafe-inline'.

Material puts a few small inline scripts on every page. After the build (and after the
other hooks, so it must stay last in mkdocs.yml) this hook reads every built HTML file,
collects the sha256 hash of each inline script and writes them, with the full policy, to
site/_hub/csp.json. The Flask server sends that policy; a static host can copy it.
Inline event handlers (onclick="...") and javascript: links cannot be allowed by a hash:
the hook warns about them, which fails the strict build.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from search_api.web.security import CSP_FILE, site_policy

log = logging.getLogger("mkdocs.hooks.csp")

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
_SRC = re.compile(r"\bsrc\s*=", re.I)
# Script types the browser runs; anything else (application/json) is a data block.
_JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href"}


def script_hash(body: str) -> str:
    """The CSP source for one inline script: sha256 of its exact text, base64."""
    # Browsers hash the text after HTML turns every CR LF and lone CR into LF.
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def inline_script_hashes(html: str) -> set[str]:
    """Hashes of every inline script the browser would run in this HTML."""
    hashes = set()
    for attrs, body in _SCRIPT.findall(html):
        if _SRC.search(attrs):
            continue
        kind = _TYPE.search(attrs)
        if (kind.group(1).lower() if kind else "") in _JS_TYPES:
            hashes.add(script_hash(body))
    return hashes


class _InlineCode(HTMLParser):
    """Collects inline event handlers and javascript: URLs from the tags of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name} attribute on <{tag}>")
            elif name in _URL_ATTRS and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")


def blocked_inline_code(html: str) -> list[str]:
    """Inline event handlers and javascript: URLs: a hash cannot allow them."""
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return parser.problems


def _api_origins(config) -> list[str]:
    """The origin of the chatbot's API when the site points at another host (extra.ask_api)."""
    url = (config.get("extra") or {}).get("ask_api") or ""
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


def on_post_build(config) -> None:
    site = Path(config["site_dir"])
    hashes: set[str] = set()
    pages = 0
    for path in sorted(site.rglob("*.html")):
        html = path.read_text(encoding="utf-8", errors="replace")
        pages += 1
        hashes |= inline_script_hashes(html)
        for problem in blocked_inline_code(html):
            log.warning(
                "%s: %s is blocked by the Content-Security-Policy; use a script file", path.relative_to(site), problem
            )
    target = site / CSP_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "script_hashes": sorted(hashes),
        "policy": site_policy(hashes, _api_origins(config)),
        "pages_scanned": pages,
    }
    target.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    log.info("CSP: %d inline script hashes from %d pages", len(hashes), pages)
