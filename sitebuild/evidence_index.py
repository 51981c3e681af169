"""The evidence index: one filterable table of every evidence summary, built from front matter.

Each page in docs/evidence/ (except index.md) carries an `evidence:` block in its front matter:
policy_area, country, design, result and a one-sentence finding. This module reads those blocks
and renders the index as Markdown: a filter form (hidden until evidence-index.js reveals it), a
live status line and a Markdown table that works without JavaScript. A MkDocs hook puts the
result where the index page has the marker line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

import yaml

INDEX_PAGE = "index.md"
MARKER = "<!-- evidence-index -->"
KEYS = ("policy_area", "country", "design", "result", "finding")
DESIGNS = ("randomised", "quasi-experimental", "process", "review")
RESULTS = ("positive", "mixed", "no effect")
# Filter controls in the order they appear, each with its table column (0 is the page title).
FILTERS = (
    ("policy_area", "Policy area", "All policy areas", 1),
    ("country", "Country", "All countries", 2),
    ("design", "Design", "All designs", 3),
    ("result", "Result", "All results", 4),
)
HEADINGS = ("Evidence summary", "Policy area", "Country", "Design", "Result", "Finding")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)
_TABLE_WRAP = re.compile(r"(<div\b[^>]*\bid=\"evidence-index\"[^>]*>.*?</div>)", re.S)


class EvidenceIndexError(ValueError):
    """An evidence page whose front matter the index cannot use."""


@dataclass(frozen=True)
class Entry:
    """One evidence summary as the index shows it."""

    path: str
    title: str
    policy_area: str
    country: str
    design: str
    result: str
    finding: str

    def value(self, key: str) -> str:
        """The text shown in the table (and matched by the filters) for one key."""
        raw = getattr(self, key)
        return raw[:1].upper() + raw[1:] if key in {"policy_area", "design", "result"} else raw


def read_front_matter(path: Path) -> dict:
    """The YAML front matter of a Markdown file, or an empty dict when it has none."""
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if not match:
        return {}
    meta = yaml.safe_load(match.group(1)) or {}
    return meta if isinstance(meta, dict) else {}


def entry_from_meta(name: str, meta: dict) -> Entry:
    """Check one page's `evidence:` block and turn it into an Entry, or raise EvidenceIndexError."""
    block = meta.get("evidence")
    if not isinstance(block, dict):
        raise EvidenceIndexError(f"{name}: no 'evidence:' block in the front matter (needs {', '.join(KEYS)})")
    missing = [k for k in KEYS if not str(block.get(k) or "").strip()]
    if missing:
        raise EvidenceIndexError(f"{name}: the 'evidence:' block is missing {', '.join(missing)}")
    values = {k: " ".join(str(block[k]).split()) for k in KEYS}
    if values["design"] not in DESIGNS:
        raise EvidenceIndexError(f"{name}: design {values['design']!r} is not one of {', '.join(DESIGNS)}")
    if values["result"] not in RESULTS:
        raise EvidenceIndexError(f"{name}: result {values['result']!r} is not one of {', '.join(RESULTS)}")
    title = str(meta.get("title") or "").strip()
    if not title:
        raise EvidenceIndexError(f"{name}: no title in the front matter")
    return Entry(path=name, title=title, **values)


def load_entries(folder: Path) -> list[Entry]:
    """Every evidence page in folder (index.md left out), sorted by policy area then title."""
    entries = [
        entry_from_meta(path.name, read_front_matter(path))
        for path in sorted(folder.glob("*.md"))
        if path.name != INDEX_PAGE
    ]
    return sorted(entries, key=lambda e: (e.policy_area.lower(), e.title.lower()))


def filter_values(entries: list[Entry]) -> dict[str, list[str]]:
    """For each filter, the distinct values present in the entries, as shown in the table."""
    out: dict[str, list[str]] = {}
    for key, *_ in FILTERS:
        present = {e.value(key) for e in entries}
        if key in {"design", "result"}:
            order = DESIGNS if key == "design" else RESULTS
            out[key] = [v for v in (o[:1].upper() + o[1:] for o in order) if v in present]
        else:
            out[key] = sorted(present, key=str.lower)
    return out


def _cell(text: str) -> str:
    """Text made safe for one cell of a Markdown table."""
    return " ".join(text.split()).replace("|", "\\|")


def render_table(entries: list[Entry]) -> str:
    """The Markdown table, with its caption line, one row per evidence summary."""
    lines = [
        f"Table: Evidence summaries on the hub ({len(entries)}), with the headline finding of each.",
        "",
        "| " + " | ".join(HEADINGS) + " |",
        "| " + " | ".join("---" for _ in HEADINGS) + " |",
    ]
    for e in entries:
        cells = [f"[{_cell(e.title)}]({e.path})", *(_cell(e.value(k)) for k, *_ in FILTERS), _cell(e.finding)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_filters(values: dict[str, list[str]]) -> str:
    """The filter form: one labelled select per filter, hidden until the script shows it."""
    fields = []
    for key, label, everything, column in FILTERS:
        options = [f'<option value="">{escape(everything)}</option>']
        options += [f'<option value="{escape(v, quote=True)}">{escape(v)}</option>' for v in values[key]]
        fields.append(
            f'<div class="pf-field"><label for="ef-{key.replace("_", "-")}">{label}</label>'
            f'<select id="ef-{key.replace("_", "-")}" name="{key}" data-column="{column}">{"".join(options)}</select></div>'
        )
    return (
        '<form id="evidence-filters" class="project-finder" hidden role="search" aria-label="Filter evidence summaries">'
        + "".join(fields)
        + '<div class="pf-field"><button type="reset" class="md-button">Clear filters</button></div></form>'
    )


def render_index(entries: list[Entry]) -> str:
    """Filters, status line, table and no-match notice, ready to replace the marker."""
    n = len(entries)
    return "\n".join(
        [
            render_filters(filter_values(entries)),
            "",
            f'<p id="ef-status" class="pf-status" role="status" aria-live="polite">All {n} evidence summaries are listed.</p>',
            "",
            '<div id="evidence-index" class="pf-table-wrap" markdown="1">',
            "",
            render_table(entries),
            "",
            "</div>",
            "",
            '<p id="ef-none" class="pf-none" hidden>No summary matches these filters. Clear a filter to see more.</p>',
        ]
    )


def insert_index(markdown: str, rendered: str) -> str:
    """The index page's Markdown with the marker line replaced, or EvidenceIndexError if it has none."""
    if MARKER not in markdown:
        raise EvidenceIndexError(f"the evidence index page has no {MARKER} line to replace")
    return markdown.replace(MARKER, rendered, 1)


def add_header_scope(html: str) -> str:
    """Give each column heading of the evidence table scope="col" (Markdown cannot say it)."""

    def scoped(match: re.Match[str]) -> str:
        return re.sub(r"<th(?=[\s>])(?![^>]*\bscope=)", '<th scope="col"', match.group(1))

    return _TABLE_WRAP.sub(scoped, html, count=1)


def build(folder: Path, markdown: str) -> str:
    """The finished index page Markdown for the evidence pages in folder."""
    return insert_index(markdown, render_index(load_entries(folder)))
