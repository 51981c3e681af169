"""Honest declines for a named project's empty section: "did the X bond pay out?" when INDIGO reports no results."""

from __future__ import annotations

import re
from typing import Any

from search_api.ask import router
from search_api.ask.scoring import NAMED_TYPES, page_chunks
from search_api.index.loaded import Loaded, page_of
from search_api.search import kinds, retrieval
from search_api.search.retrieval import Hit


def empty_section(loaded: Loaded, question: str, hits: list[Hit], cfg: dict[str, Any]) -> dict[str, str] | None:
    """What the reply needs (what, title, reason, url) when the question asks for a part of a
    named project's page that says it holds nothing; None otherwise."""
    gaps = cfg.get("gaps") or {}
    if not gaps.get("empty"):
        return None
    scan = hits[: int(cfg["retrieval"].get("named_scan", 10))]
    named = [
        h.chunk for h in scan if h.chunk.get("type") in NAMED_TYPES and router.names_in(question, h.chunk["title"], cfg)
    ]
    # Only the generated INDIGO pages say "no results yet"; a written case study or evidence
    # summary of the project may still hold what INDIGO lacks, so its presence means answer.
    if not named or named[0].get("type") != "project" or any(c.get("type") != "project" for c in named):
        return None
    page = page_of(named[0])
    wanted = kinds.wanted(question, retrieval.settings(), named[0]["title"])
    asked = [c for c in page_chunks(loaded).get(page, []) if kinds.heading_matches(c["section"], wanted)]
    if wanted and not asked and set(wanted) <= set(gaps.get("absent_headings") or []):
        # The kind of section asked for (an evaluation, criticism, lessons) is not one a project
        # page ever has, and no written page about the project was found to hold it.
        return {"what": gaps["absent"], "title": named[0]["title"], "reason": "", "url": page}
    empty = re.compile(gaps["empty"])
    if not asked or not all(empty.match(c["text"].strip()) for c in asked):
        return None
    first = asked[0]
    what = first["section"].split(">")[-1].strip().lower()
    return {"what": what, "title": first["title"], "reason": first["text"].strip().split("\n")[0], "url": page}
