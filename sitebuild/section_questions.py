"""Questions each hand-written section answers, in readers' words (kb/section_questions/), for the page export.

Search matches a reader's question against these question-to-question, which is what the
embedding model was trained on. A common-questions page's own headings count as questions too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from search_api import paths
from search_api.index.chunker import heading_slug

QUESTIONS_DIR = paths.SECTION_QUESTIONS_DIR
COMMON_QUESTIONS = "common-questions/"
MAX_PER_SECTION = 12


class SectionQuestionsError(ValueError):
    """A sidecar that names a page or section the site does not have."""


def sidecar_path(src: str, folder: Path = QUESTIONS_DIR) -> Path:
    """kb/section_questions/<src without .md>.yaml; the home page's is home.yaml."""
    return folder / ("home.yaml" if src == "index.md" else src.removesuffix(".md") + ".yaml")


def _anchors(markdown: str) -> dict[str, str]:
    """Anchor -> heading text of every h2 and h3, as the site's toc makes them."""
    used: set[str] = set()
    out: dict[str, str] = {}
    for line in markdown.splitlines():
        if line.startswith(("## ", "### ")):
            heading = line.lstrip("#").strip()
            out[heading_slug(heading, used)] = heading
        elif line.startswith("# ") or line.startswith("#### "):
            heading_slug(line.lstrip("#").strip(), used)
    return out


_BASED_ON = re.compile(r"^Based on:\s*(.+)$", re.M)
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def site_url(src: str, href: str) -> str:
    """A relative .md link in the page at `src` as the site URL with its anchor ("../a/b.md#x" -> "/a/b/#x")."""
    target, _, anchor = href.partition("#")
    parts: list[str] = src.split("/")[:-1]
    for piece in target.split("/"):
        if piece == "..":
            parts = parts[:-1]
        elif piece not in ("", "."):
            parts.append(piece)
    path = "/".join(parts)
    url = "/" + re.sub(r"(^|/)index\.md$", r"\1", path).removesuffix(".md")
    url = url if url.endswith("/") else url + "/"
    return url + (f"#{anchor}" if anchor else "")


def based_on(src: str, markdown: str) -> dict[str, list[str]]:
    """Anchor -> the sections a common question's answer rests on (its "Based on:" links)."""
    if not src.startswith(COMMON_QUESTIONS):
        return {}
    out: dict[str, list[str]] = {}
    used: set[str] = set()
    current = None
    for line in markdown.splitlines():
        if line.startswith(("## ", "### ")):
            current = heading_slug(line.lstrip("#").strip(), used)
        elif line.startswith("# "):
            heading_slug(line.lstrip("#").strip(), used)
        elif current and (m := _BASED_ON.match(line)):
            out[current] = [site_url(src, h) for h in _LINK.findall(m.group(1))]
    return out


# Questions generated from the data for every INDIGO project and fund page: the same few things
# readers ask of any project ("who invested in X?"), with the page's own name filled in.
PROJECT_QUESTIONS = {
    "": ["{name}", "what is {name}", "tell me about {name}"],
    "key-facts": ["when did {name} start", "where was {name}"],
    "social-challenge-and-intervention": ["what did {name} do", "who was {name} for"],
    "outcome-payers": ["who paid for the outcomes of {name}"],
    "investors": ["who invested in {name}"],
    "service-providers": ["who delivered {name}"],
    "intermediaries": ["who was the intermediary for {name}"],
    "outcome-metrics": ["what outcomes did {name} pay for"],
    "results": ["what were the results of {name}"],
}
FUND_QUESTIONS = {
    "": ["{name}", "what is the {name}"],
    "purpose": ["what was the {name} for"],
    "key-facts": ["how big was the {name}"],
    "projects": ["which projects did the {name} fund"],
}
_GENERATED = {"projects/indigo-poj-": PROJECT_QUESTIONS, "funds/": FUND_QUESTIONS}


def generated_questions(src: str, markdown: str, anchors: dict[str, str]) -> dict[str, list[str]]:
    """Template questions for a generated project or fund page, keyed by anchor ("" is the page's opening)."""
    templates = next((tpl for prefix, tpl in _GENERATED.items() if src.startswith(prefix)), None)
    title = next((line[2:].strip() for line in markdown.splitlines() if line.startswith("# ")), "")
    if templates is None or not title or src == "funds/index.md":
        return {}
    # "Youth Engagement Fund - United Kingdom" and "Reboot West (Bristol)" are asked for by their short name.
    name = re.sub(r"\s*(\([^)]*\)|-\s+[A-Z][\w ,]*)$", "", title).strip() or title
    # "Care Leavers Social Impact Bond: Reboot West" is also just "Reboot West".
    names = [name] + ([name.split(":", 1)[1].strip()] if ":" in name else [])
    out: dict[str, list[str]] = {}
    for anchor in ["", *anchors]:
        key = re.sub(r"-\d+$", "", anchor)  # "projects-4": a fund's projects heading carries its count
        if key in templates:
            out[anchor] = [q.format(name=n) for n in names for q in templates[key]]
    return out


def questions_for(src: str, url: str, markdown: str, folder: Path = QUESTIONS_DIR) -> dict[str, list[str]]:
    """Anchor -> questions for one page; raises SectionQuestionsError on a wrong page or anchor."""
    anchors = _anchors(markdown)
    out: dict[str, list[str]] = generated_questions(src, markdown, anchors)
    if src.startswith(COMMON_QUESTIONS):
        out = {a: [h] for a, h in anchors.items() if h.endswith("?")}
    path = sidecar_path(src, folder)
    if not path.is_file():
        return out
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if data.get("page") != url:
        raise SectionQuestionsError(f"{path.name}: page is {data.get('page')!r}, the site says {url!r}")
    for anchor, questions in (data.get("sections") or {}).items():
        if anchor not in anchors:
            raise SectionQuestionsError(f"{path.relative_to(folder)}: no section #{anchor} on {url}")
        merged = out.get(anchor, []) + [str(q).strip() for q in questions or [] if str(q).strip()]
        out[anchor] = list(dict.fromkeys(merged))[:MAX_PER_SECTION]
    return out
