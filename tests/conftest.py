"""Shared fixtures: a fake encoder for fast tests, the real stack for integration tests."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from search_api import create_app
from search_api.config import ROOT, Settings
from search_api.embedder import DIMENSION, MODEL_NAME
from search_api.local_server import serve_in_thread

SITE = ROOT / "site"
INDEX = ROOT / "kb" / "index"


class FakeEncoder:
    """Hashed bag of words: deterministic, instant, good enough for unit tests."""

    name = MODEL_NAME
    dimension = DIMENSION

    def encode(self, texts, progress=False):
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % DIMENSION] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


SAMPLE_PAGES = [
    {
        "src": "guidance/what.md",
        "url": "/guidance/what/",
        "title": "What a Social Outcomes Partnership is",
        "meta": {"type": "guidance", "tags": ["basics"]},
        "markdown": "# What\n\nIntro text.\n\n## How the money flows\n\nInvestors pay the provider up front.\n\n"
        "## Names\n\nA social impact bond is the UK name.\n",
    },
    {
        "src": "case-studies/peterborough.md",
        "url": "/case-studies/peterborough/",
        "title": "Peterborough",
        "meta": {"type": "case-study", "policy_area": "Criminal justice", "country": "United Kingdom"},
        "markdown": "# Peterborough\n\n## Key facts\n\n| Fact | Value |\n|---|---|\n| Place | Peterborough |\n\n"
        "## What happened\n\nReoffending fell among short-sentence prisoners.\n",
    },
]


def write_site(site_dir: Path, pages: list[dict]) -> None:
    """A minimal 'built site': the pages export the index is built from."""
    (site_dir / "_hub").mkdir(parents=True, exist_ok=True)
    with open(site_dir / "_hub" / "pages.jsonl", "w", encoding="utf-8") as fh:
        for page in pages:
            fh.write(json.dumps(page) + "\n")
    (site_dir / "index.html").write_text("<html><body><h1>Hub</h1></body></html>", encoding="utf-8")


@pytest.fixture
def fake_encoder():
    return FakeEncoder()


@pytest.fixture
def tmp_hub(tmp_path):
    """A site export and an index built with the fake encoder, in a temp folder."""
    from search_api import indexer

    site = tmp_path / "site"
    write_site(site, SAMPLE_PAGES)
    index_dir = tmp_path / "index"
    from search_api.index_extras import WRITERS

    indexer.build(site, index_dir, FakeEncoder, progress=False, extra_writers=WRITERS)
    return Settings(site_dir=site, index_dir=index_dir, instance_dir=tmp_path / "instance")


@pytest.fixture
def app(tmp_hub):
    # Tests make many requests from one address: rate limits have their own tests.
    return create_app(
        {"TESTING": True, "SETTINGS": tmp_hub, "ENCODER_FACTORY": FakeEncoder, "RATELIMIT_ENABLED": False}
    )


@pytest.fixture
def client(app):
    return app.test_client()


def require_built() -> None:
    """Integration tests need `make site index`; say so instead of failing obscurely."""
    if not (SITE / "_hub" / "pages.jsonl").is_file() or not (INDEX / "CURRENT").is_file():
        pytest.fail("The built site and index are missing: run `make test` (or `make index`) first.")


@pytest.fixture(scope="session")
def real_app():
    """The real app: real model, real FAISS index, real built site."""
    require_built()
    # The browser and real-stack tests are one fast client: never throttle them.
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False})
    app.extensions["sop"].encoder()
    app.extensions["sop"].index()
    return app


@pytest.fixture(scope="session")
def live_server(real_app):
    """The real app served over HTTP on a free local port, in a thread."""
    with serve_in_thread(real_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    yield pg
    context.close()


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the accessibility audit's totals when it ran (tests/test_a11y_axe.py)."""
    import sys

    pages = sys.modules.get("tests.a11y_pages")
    if pages is not None and pages.AUDIT.runs:
        terminalreporter.write_sep("-", "accessibility audit")
        terminalreporter.write_line(pages.AUDIT.summary())
