"""Shared fixtures: a fake encoder for fast tests, the real stack for integration tests."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from devtools.local_server import serve_in_thread
from search_api import create_app
from search_api.config import ROOT, Settings
from search_api.index.embedder import DIMENSION, MODEL_NAME

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
    from sitebuild import indexer

    site = tmp_path / "site"
    write_site(site, SAMPLE_PAGES)
    index_dir = tmp_path / "index"
    from search_api.index.extras import WRITERS

    indexer.build(site, index_dir, FakeEncoder, progress=False, extra_writers=WRITERS)
    return Settings(site_dir=site, index_dir=index_dir, instance_dir=tmp_path / "instance")


def reread(settings: Settings) -> Settings:
    """The same folders with every other setting read from the environment again (after monkeypatch)."""
    return Settings(site_dir=settings.site_dir, index_dir=settings.index_dir, instance_dir=settings.instance_dir)


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


def pytest_sessionfinish(session) -> None:
    """In a pytest-xdist worker, hand the accessibility audit's log to the controller."""
    import sys

    pages = sys.modules.get("tests.support.a11y_pages")
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None and pages is not None and pages.AUDIT.runs:
        workeroutput["a11y_audit"] = pages.AUDIT.to_json()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """In the pytest-xdist controller, add a worker's audit log to the totals printed below."""
    text = getattr(node, "workeroutput", {}).get("a11y_audit")
    if text:
        from tests.support import a11y_pages

        a11y_pages.AUDIT.merge(text)


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the accessibility audit's totals when it ran (tests/browser/test_a11y_axe.py)."""
    import sys

    pages = sys.modules.get("tests.support.a11y_pages")
    if pages is not None and pages.AUDIT.runs:
        terminalreporter.write_sep("-", "accessibility audit")
        terminalreporter.write_line(pages.AUDIT.summary())


# Markers follow from what a test uses, so they cannot drift from the code: `make check`
# deselects every test marked model, site, browser or server and runs the rest in seconds.
_MODEL_FIXTURES = {"real_app", "live_server"}
_BROWSER_FIXTURES = {"browser", "page"}
_SITE_FIXTURES = {"site", "built_site", "html_rel"}
# Module-level names that mean a test reads the lead's built site or index, or runs the real model.
_SITE_NAMES = {"require_built", "SITE", "INDEX", "LEAD_SITE", "cs", "HTML_FILES", "PAGES"}
_MODEL_NAMES = {"load_torch_encoder", "OnnxEncoder", "answer_question", "warm"}


def pytest_collection_modifyitems(config, items) -> None:
    """Add the model, site, browser and server markers from fixtures, module names and folders."""
    for item in items:
        module = getattr(item, "module", None)
        names = set(vars(module)) if module is not None else set()
        source = _module_source(module)
        fixtures = set(getattr(item, "fixturenames", ()))
        folder = Path(str(item.fspath)).parent.name
        if fixtures & _MODEL_FIXTURES or names & _MODEL_NAMES:
            item.add_marker(pytest.mark.model)
        if fixtures & _BROWSER_FIXTURES or folder == "browser":
            item.add_marker(pytest.mark.browser)
        if fixtures & (_SITE_FIXTURES | _MODEL_FIXTURES) or names & _SITE_NAMES or folder in {"browser", "content"}:
            item.add_marker(pytest.mark.site)
        if "gunicorn" in source or "serve_in_thread" in source or "subprocess" in names:
            item.add_marker(pytest.mark.server)
    _name_groups(config, items)


def _name_groups(config, items) -> None:
    """Put each xdist_group name at the end of its tests' ids, which is how `--dist loadgroup` sends
    a group to one worker.

    pytest-xdist 3.8 writes the old `_nodeid` field, which pytest 9 no longer reads, so without
    this the groups are silently ignored (pytest-dev/pytest-xdist#1386; the fix, #1388, is not
    released). Harmless once it is: the scheduler reads the last name after an "@"."""
    if not getattr(config.option, "loadgroup", False):  # set only inside a worker of a loadgroup run
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        names = sorted(
            {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")}
        )
        if names and "@" not in item.nodeid.rsplit("]", 1)[-1]:
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")


def _module_source(module) -> str:
    """The text of a test module (cached), to see whether it starts servers."""
    path = getattr(module, "__file__", None)
    if not path:
        return ""
    if path not in _SOURCES:
        _SOURCES[path] = Path(path).read_text(encoding="utf-8")
    return _SOURCES[path]


_SOURCES: dict[str, str] = {}
