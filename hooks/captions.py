"""MkDocs hook: a paragraph `Table: caption text` just before (or after) a table becomes its <caption>.

Markdown tables cannot carry a caption, and screen reader users rely on one to tell tables
apart. The paragraph syntax is Pandoc's, so the Markdown stays readable as plain text.
"""

from __future__ import annotations

import re

# <p>Table: ...</p> directly before a <table>, with nothing but white space between them.
_BEFORE = re.compile(r"<p>Table:\s*(?P<caption>(?:(?!</p>).)+?)\s*</p>\s*(?P<open><table\b[^>]*>)", re.S)
# A <table>...</table> (no nested table) directly followed by <p>Table: ...</p>.
_AFTER = re.compile(
    r"(?P<open><table\b[^>]*>)(?P<body>(?:(?!<table\b).)*?</table>)\s*<p>Table:\s*(?P<caption>(?:(?!</p>).)+?)\s*</p>",
    re.S,
)


def add_captions(html: str) -> str:
    """Move every `Table:` paragraph next to a table into that table's <caption>."""
    html = _BEFORE.sub(lambda m: f"{m['open']}\n<caption>{m['caption']}</caption>", html)
    return _AFTER.sub(lambda m: f"{m['open']}\n<caption>{m['caption']}</caption>{m['body']}", html)


def on_page_content(html, page, config, files):
    if "Table:" not in html:
        return html
    return add_captions(html)
