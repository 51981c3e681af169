"""The kind of section a query asks for ("roca results" -> "What happened"), from kb/search.yaml headings."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from search_api.index.loaded import Loaded
from search_api.index.textproc import STOPWORDS, words


def wanted(question: str, cfg: dict[str, Any], title: str = "") -> list[str]:
    """The section headings (lower case) the question asks for; words of a named page's title
    do not count ("Partnering for Family Success" asks for nothing)."""
    for w in set(re.findall(r"[A-Za-z]{3,}", title)):
        question = re.sub(rf"\b{re.escape(w)}\b", " ", question, flags=re.I)
    found: list[str] = []
    for kind in (cfg.get("headings") or {}).get("kinds") or []:
        if re.search(kind["question"], question, re.I):
            found.extend(h for h in kind["headings"] if h not in found)
    return found


def heading_matches(heading: str, headings: list[str]) -> bool:
    """True when a section heading is one of the asked-for ones."""
    low = heading.lower()
    return any(h in low for h in headings)


def _mask(loaded: Loaded, headings: tuple[str, ...]) -> np.ndarray:
    return loaded.derived(
        ("heading_mask", headings),
        lambda: np.array([heading_matches(c["section"], list(headings)) for c in loaded.stored.chunks], dtype=bool),
    )


def _pages(loaded: Loaded) -> np.ndarray:
    """A page number for each section (sections of one page share it)."""

    def build() -> np.ndarray:
        ids: dict[str, int] = {}
        return np.array(
            [ids.setdefault(c.get("page") or c["url"].split("#")[0], len(ids)) for c in loaded.stored.chunks]
        )

    return loaded.derived("page_ids", build)


MAX_TITLES = 3  # a title word shared by more pages than this names none of them


def _title_words(loaded: Loaded, generic: frozenset[str]) -> list[frozenset[str]]:
    """Per page number, the title words that can name it ("rikers", "kirklees")."""

    def build() -> list[frozenset[str]]:
        pages = _pages(loaded)
        titles: dict[int, set[str]] = {}
        for c, p in zip(loaded.stored.chunks, pages, strict=True):
            titles.setdefault(int(p), {w for w in words(c["title"]) if len(w) >= 3 and w not in STOPWORDS | generic})
        # A word in many titles ("private", "london") names none of them.
        df: dict[str, int] = {}
        for ws in titles.values():
            for w in ws:
                df[w] = df.get(w, 0) + 1
        return [frozenset(w for w in titles.get(p, set()) if df[w] <= MAX_TITLES) for p in range(len(titles))]

    return loaded.derived(("title_words", generic), build)


TEMPLATE_TYPES = frozenset({"case-study", "evidence", "fund", "project"})


def _templated(loaded: Loaded) -> np.ndarray:
    """True for sections of pages built from a template with set headings (case studies, evidence...)."""
    return loaded.derived(
        "templated", lambda: np.array([c.get("type") in TEMPLATE_TYPES for c in loaded.stored.chunks])
    )


def reorder(loaded: Loaded, query: str, fused: np.ndarray, cfg: dict[str, Any]) -> np.ndarray:
    """Scores with the asked-for section of each named page moved to the top of its page.

    Only within a page: a section under an asked-for heading that scores within (boost) of
    its page's best section takes that best score (and a hair more). Other pages keep their
    places, so "does paying on results work?" is not pulled towards every "What it found".
    When several headings are asked for, the one listed first in kb/search.yaml comes first."""
    boost = float((cfg.get("headings") or {}).get("boost", 0.0))
    asked = wanted(query, cfg)
    if not asked or boost <= 0:
        return fused
    pages = _pages(loaded)
    best = np.zeros(int(pages.max()) + 1, dtype=np.float64)
    np.maximum.at(best, pages, fused)
    top = best[pages]
    # Only on template pages the query names: "rikers results" reorders the Rikers pages.
    asked_words = set(words(query))
    titles = _title_words(loaded, frozenset((cfg.get("headings") or {}).get("generic", "").split()))
    named = np.array([bool(titles[p] & asked_words) for p in range(len(titles))], dtype=bool)
    near = (fused > 0) & (fused >= (1.0 - boost) * top) & named[pages] & _templated(loaded)
    out = fused.astype(np.float64, copy=True)
    done = np.zeros(len(fused), dtype=bool)
    for rank, heading in enumerate(asked):
        lift = near & ~done & _mask(loaded, (heading,))
        out[lift] = top[lift] * (1.0 + 1e-6) + 1e-9 * (len(asked) - rank)
        done |= lift
    return out.astype(fused.dtype)
