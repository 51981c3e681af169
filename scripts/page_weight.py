"""Page weight: bytes on the wire and number of requests for each page type, in a real browser.

Run: .venv/bin/python scripts/page_weight.py [--url http://127.0.0.1:8000] [--json]

Without --url it serves the built site and the API itself (the same app `make run` serves)
on a free local port. Each page opens in a fresh Debian chromium context with an empty
cache; everything it loads before the reader interacts (until the load event and then no
network activity for half a second) is counted. Transfer size is the bytes received:
response headers plus the body as sent, so gzip counts when the server compresses.
Figures are printed, never asserted here; tests/content/test_page_weight.py holds the budget.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
# (page type, path): one typical page of each kind the hub has.
PAGE_TYPES = [
    ("home", "/"),
    ("guidance page", "/guidance/what-is-an-sop/"),
    ("case study", "/case-studies/peterborough/"),
    ("evidence summary", "/evidence/peterborough-results/"),
    ("glossary", "/glossary/"),
    ("project page", "/projects/indigo-poj-0153/"),
    ("project finder", "/projects/"),
    ("fund page", "/funds/life-chances-fund-united-kingdom/"),
    ("search page", "/tools/search/"),
    ("feasibility questionnaire", "/tools/feasibility-assessor/"),
]


@dataclass
class Weight:
    """What one page loaded before the reader did anything."""

    page_type: str
    path: str
    requests: int = 0
    transfer_bytes: int = 0
    body_bytes: int = 0  # the bodies as decoded by the browser (uncompressed)
    failed: list[str] = field(default_factory=list)
    largest: list[tuple[str, int]] = field(default_factory=list)


def measure(browser, base_url: str, page_type: str, path: str, settle_ms: int = 500) -> Weight:
    """Open one page in a fresh context and count every response it received."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    finished: list = []
    failed: list[str] = []
    # Context-level events also see requests made by web workers (Material's search worker).
    context.on("requestfinished", lambda r: finished.append(r))
    context.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    try:
        page.goto(base_url.rstrip("/") + path, wait_until="load")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(settle_ms)  # a last late request (a worker's fetch) still counts
        weight = Weight(page_type, path, failed=failed)
        sizes = []
        for request in finished:
            s = request.sizes()
            response = request.response()
            body = len(response.body()) if response is not None and _has_body(response) else 0
            wire = s["responseHeadersSize"] + max(s["responseBodySize"], 0)
            weight.requests += 1
            weight.transfer_bytes += wire
            weight.body_bytes += body
            sizes.append((urlsplit(request.url).path, wire))
        weight.requests += len(failed)
        weight.largest = sorted(sizes, key=lambda x: -x[1])[:3]
        return weight
    finally:
        context.close()


def _has_body(response) -> bool:
    """Redirects and 304s have no body to read."""
    return not (300 <= response.status < 400)


def measure_all(base_url: str, pages: list[tuple[str, str]] = PAGE_TYPES) -> list[Weight]:
    """Every page type, one fresh browser context each."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        try:
            return [measure(browser, base_url, name, path) for name, path in pages]
        finally:
            browser.close()


@contextmanager
def serve() -> Iterator[str]:
    """The hub's app (site at /, API at /api/) on a free local port, in a thread."""
    from devtools.local_server import serve_in_thread
    from search_api import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request drowns the table
    app = create_app()
    res = app.extensions["sop"]
    res.encoder()  # load model and index first, as `sophub serve` does
    res.index()
    with serve_in_thread(app) as url:
        yield url


def kb(n: int) -> str:
    """Bytes as kilobytes (1 KB = 1,000 bytes) with one decimal."""
    return f"{n / 1000:,.1f}"


def table(weights: list[Weight]) -> str:
    """A Markdown table of the figures."""
    lines = [
        "| Page type | Address | Requests | Transfer (KB) | Uncompressed (KB) | Largest transfers |",
        "|---|---|---:|---:|---:|---|",
    ]
    for w in weights:
        largest = ", ".join(f"{Path(p).name or p} {kb(n)}" for p, n in w.largest)
        lines.append(
            f"| {w.page_type} | `{w.path}` | {w.requests} | {kb(w.transfer_bytes)} | {kb(w.body_bytes)} | {largest} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="measure a running hub (e.g. http://127.0.0.1:8000) instead of starting one")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.url:
        weights = measure_all(args.url)
    else:
        with serve() as url:
            weights = measure_all(url)
    if args.json:
        print(json.dumps([asdict(w) for w in weights], indent=1))
    else:
        print(table(weights))
        print("\nTransfer: response headers plus bodies as sent. Before the reader interacts: load, then network idle.")
    for w in weights:
        if w.failed:
            print(f"{w.page_type}: {len(w.failed)} failed request(s): {'; '.join(w.failed)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
