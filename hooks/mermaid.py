"""MkDocs hook: serve Mermaid from the site itself, only on pages with a diagram.

Material loads Mermaid from unpkg.com unless a global `mermaid` already exists; offline
that fails and the diagram stays as text. `make setup` installs the pinned npm package.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
TARGET = "assets/vendor/mermaid.min.js"
log = logging.getLogger("mkdocs.hooks.mermaid")


def on_post_page(output, page, config):
    if 'class="mermaid"' not in output or not SOURCE.is_file():
        return output
    depth = page.url.count("/")
    src = "../" * depth + TARGET
    # Before Material's bundle, which looks for a global `mermaid` when it meets a diagram.
    return output.replace("</head>", f'<script src="{src}"></script>\n</head>', 1)


def on_post_build(config):
    if not SOURCE.is_file():
        log.info("Mermaid is not installed (run `make setup`): diagrams show as text.")
        return
    target = Path(config["site_dir"]) / TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, target)
