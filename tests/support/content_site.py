"""The pages the content tests check, and the built site their links are checked in.

The built site is the lead's `site/` when it was built from the current sources (its
fingerprint matches), otherwise one strict build into a temporary folder per test session.
Pages are known at collection time so every test is parametrised per page.
"""

from __future__ import annotations

import atexit
import datetime as dt
import importlib.util
import json
import os
import posixpath
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from urllib.parse import unquote, urlsplit

import yaml

from search_api import paths
from search_api.config import ROOT
from search_api.index.sources import site_fingerprint, source_fingerprint
from tests.conftest import SITE as LEAD_SITE  # the lead's built site/

DOCS = ROOT / "docs"


@dataclass(frozen=True)
class BuiltSite:
    """A built site: its folder, and the strict build's warnings if this session built it."""

    path: Path
    reused: bool
    returncode: int
    log: str


@dataclass(frozen=True)
class Page:
    """One page to check: its source path, front matter and Markdown body."""

    src: str
    meta: dict
    body: str
    generated: bool


def saved_build_log(fingerprint: str | None) -> str:
    """The log `sophub build-site` kept of the strict build of these sources ("" if none)."""
    try:
        head, _, log = paths.SITE_BUILD_LOG.read_text(encoding="utf-8").partition("\n")
    except FileNotFoundError:
        return ""
    return log if fingerprint and head == f"fingerprint: {fingerprint}" else ""


@cache
def built_site() -> BuiltSite:
    """The lead's site/ when it is current, else one strict build into a temp folder."""
    if site_fingerprint(LEAD_SITE) == source_fingerprint():
        return BuiltSite(LEAD_SITE, True, 0, saved_build_log(site_fingerprint(LEAD_SITE)))
    out = Path(tempfile.mkdtemp(prefix="content-tests-site-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    mkdocs = Path(sys.executable).with_name("mkdocs")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    # Strict mode still writes every page before it aborts, so links can be checked even then.
    run = subprocess.run(
        [str(mkdocs), "build", "--strict", "-d", str(out)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return BuiltSite(out, False, run.returncode, run.stdout + run.stderr)


def iso_dates(value):
    """YAML dates become ISO strings, as the schema (and JSON) expect."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [iso_dates(v) for v in value]
    return value


def split_front_matter(text: str) -> tuple[dict | None, str]:
    """(front matter, body) of a Markdown file; None when it has no front matter block."""
    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---", 4)
    if end < 0:
        return None, text
    meta = yaml.safe_load(text[4:end]) or {}
    body = text[end + 4 :].split("\n", 1)[1] if "\n" in text[end + 4 :] else ""
    return iso_dates(meta), body


@cache
def pages() -> tuple[Page, ...]:
    """Every page: the Markdown under docs/, then the pages the build generated."""
    found = []
    for path in sorted(DOCS.rglob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        found.append(Page(path.relative_to(DOCS).as_posix(), meta or {}, body, False))
    sources = {p.src for p in found}
    export = built_site().path / "_hub" / "pages.jsonl"
    if export.is_file():
        for line in export.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry["src"] not in sources:
                found.append(Page(entry["src"], iso_dates(entry["meta"]), entry["markdown"], True))
    return tuple(found)


def page_ids() -> list[str]:
    """Test ids: the page's path under docs/ (generated pages too)."""
    return [p.src for p in pages()]


def html_files() -> list[str]:
    """Every HTML file of the built site, relative to it (theme's 404 page included)."""
    root = built_site().path
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html") if "_hub" not in p.parts)


def page_html_files() -> list[str]:
    """The HTML file of every page the build exported (no theme or redirect pages)."""
    export = built_site().path / "_hub" / "pages.jsonl"
    if not export.is_file():
        return []
    urls = [json.loads(line)["url"].lstrip("/") for line in export.read_text(encoding="utf-8").splitlines()]
    return sorted(u + "index.html" if u == "" or u.endswith("/") else u for u in urls)


class _LinkParser(HTMLParser):
    """Collects every href and every id (and <a name>) of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("href") is not None:
            self.hrefs.append(a["href"] or "")
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])


@cache
def parse_html(path: Path) -> tuple[tuple[str, ...], frozenset[str]]:
    """(hrefs, ids) of one built HTML file."""
    parser = _LinkParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return tuple(parser.hrefs), frozenset(parser.ids)


@cache
def site_url() -> str:
    """The site_url of mkdocs.yml: absolute links starting with it point inside the site."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_IgnoreTagsLoader)
    return config.get("site_url", "")


class _IgnoreTagsLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without importing the objects its !!python tags name."""


_IgnoreTagsLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_IgnoreTagsLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def internal_target(html_rel: str, href: str, base_url: str) -> tuple[str, str] | None:
    """(target file relative to the site, anchor) for a link inside the site, else None."""
    if base_url and href.startswith(base_url):
        href = "/" + href[len(base_url) :].lstrip("/")
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("//"):
        return None
    path = unquote(parts.path)
    if path.startswith("/api/") or path == "/api":
        return None  # served by the Flask API, not part of the static site
    if not path:
        return html_rel, unquote(parts.fragment)
    if path.startswith("/"):
        target = path.lstrip("/")
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(html_rel), path))
        if path.endswith("/"):
            target += "/"
    if target in ("", ".", "./"):
        target = "index.html"
    elif target.endswith("/"):
        target += "index.html"
    return target, unquote(parts.fragment)


def resolve(site: Path, target: str) -> Path | None:
    """The file a target names, allowing a folder that has an index.html."""
    candidate = site / target
    if candidate.is_file():
        return candidate
    if candidate.is_dir() and (candidate / "index.html").is_file():
        return candidate / "index.html"
    return None


def load_script(name: str) -> ModuleType:
    """Import scripts/<name>.py (the scripts folder is not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
