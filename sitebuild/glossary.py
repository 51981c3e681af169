"""The glossary page and the site-wide abbreviations, both from kb/glossary.yaml (build time)."""

from __future__ import annotations

import yaml
from markdown.extensions.toc import slugify

from search_api import paths
from sitebuild.page import head

GLOSSARY = paths.GLOSSARY
ABBREVIATIONS = paths.ABBREVIATIONS


def load_terms() -> list[dict]:
    """Glossary entries sorted by term (empty if the file is not there yet)."""
    if not GLOSSARY.is_file():
        return []
    terms = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8")) or []
    return sorted(terms, key=lambda t: t["term"].lower())


def render_page(terms: list[dict]) -> str:
    """The glossary page as Markdown, one h2 per term so search can quote each."""
    meta = {
        "title": "Glossary",
        "description": "Plain-English meanings of the terms and abbreviations used about Social Outcomes Partnerships.",
        "type": "glossary",
        "tags": ["glossary"],
        "last_reviewed": "2026-11-28",
    }
    lines = head(
        meta,
        "Glossary",
        [
            f"This glossary explains {len(terms)} terms used about Social Outcomes Partnerships.",
            "Each entry gives a plain-English meaning and a source you can check.",
            "Abbreviations are explained wherever they appear on the hub: hover over them or focus them.",
        ],
    )
    for t in terms:
        heading = t["term"] + (f" ({t['abbreviation']})" if t.get("abbreviation") else "")
        lines += [f"## {heading}", "", t["definition"].strip(), ""]
        related = [r for r in t.get("related", []) if any(r == o["term"] for o in terms)]
        if related:
            links = ", ".join(f"[{r}](#{_anchor(r, terms)})" for r in related)
            lines += [f"Related terms: {links}.", ""]
        if t.get("source"):
            lines += [f"Source: [{t['source']}]({t['source']})", ""]
    lines += ["## Sources", "", "Each entry above links to the source that confirms its meaning. In full:", ""]
    for url in sorted({t["source"] for t in terms if t.get("source")}):
        lines.append(f"- [{url}]({url})")
    lines.append("")
    return "\n".join(lines)


def _anchor(term: str, terms: list[dict]) -> str:
    entry = next(o for o in terms if o["term"] == term)
    heading = entry["term"] + (f" ({entry['abbreviation']})" if entry.get("abbreviation") else "")
    return slugify(heading, "-")


def write_abbreviations(terms: list[dict]) -> None:
    """The snippet auto-appended to every page so each abbreviation shows its expansion."""
    ABBREVIATIONS.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"*[{t['abbreviation']}]: {t['term']}" for t in terms if t.get("abbreviation")]
    ABBREVIATIONS.write_text("\n".join(lines) + "\n", encoding="utf-8")
