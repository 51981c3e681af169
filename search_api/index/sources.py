"""What the index is built from: the pages the site build exported, and their fingerprint."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from search_api import paths
from search_api.config import ROOT
from search_api.index.deps import import_closure

PAGES_EXPORT = paths.PAGES_EXPORT
# Files whose change means the site (and so the index) must be rebuilt. The Python modules
# the hooks import (page generators, the CSP builder) are added by following their imports.
SOURCE_GLOBS = (
    "docs/**/*",
    "kb/*.yaml",
    "kb/indigo/**/*",
    "kb/feasibility/**/*",
    "kb/section_questions/**/*",
    "hooks/**/*.py",
    "overrides/**/*",
    "mkdocs.yml",
    "package-lock.json",
)


def pages_file(site_dir: Path) -> Path:
    """Where the site build writes the Markdown of every page (generated ones included)."""
    return site_dir / PAGES_EXPORT


def read_pages(site_dir: Path) -> list[dict[str, Any]]:
    """Pages exported by the last site build: url, title, meta, markdown."""
    path = pages_file(site_dir)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: build the site first with `make site`.")
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def source_files(root: Path = ROOT) -> set[Path]:
    """Every file the site build reads: the globs above and the modules the hooks import."""
    files: set[Path] = set()
    for pattern in SOURCE_GLOBS:
        files.update(p for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    files.update(import_closure(root, sorted((root / "hooks").glob("*.py"))))
    return files


def source_fingerprint(root: Path = ROOT) -> str:
    """A hash over every source file of the site, to tell when the index is stale."""
    h = hashlib.sha256()
    for path in sorted(source_files(root)):
        h.update(str(path.relative_to(root)).encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:32]


def site_fingerprint(site_dir: Path) -> str | None:
    """The source fingerprint the built site was made from (written by the export hook)."""
    try:
        return (site_dir / paths.FINGERPRINT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
