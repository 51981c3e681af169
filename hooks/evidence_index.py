"""MkDocs hook: the evidence index page's table and filters, generated from the evidence pages' front matter.

docs/evidence/index.md holds a `<!-- evidence-index -->` line; this hook replaces it with the
table that sitebuild/evidence_index.py renders, so a new evidence page appears with no edit to
the index. It runs before the other page hooks, so the search export sees the finished table.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.plugins import event_priority

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # sitebuild/ is a plain folder, not an installed package

from sitebuild import evidence_index  # noqa: E402

INDEX = "evidence/index.md"


@event_priority(50)
def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != INDEX:
        return markdown
    return evidence_index.build(Path(config["docs_dir"]) / "evidence", markdown)


def on_page_content(html, page, config, files):
    if page.file.src_uri != INDEX:
        return html
    return evidence_index.add_header_scope(html)
