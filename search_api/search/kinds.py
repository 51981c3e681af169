"""The kind of section a query asks for ("roca results" -> "What happened"), from kb/search.yaml headings."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from search_api.index.loaded import Loaded, page_of
from search_api.index.textproc import STOPWORDS, words


def wanted_groups(question: str, cfg: dict[str, Any], title: str = "") -> list[list[str]]:
    """The section headings (lower case) the question asks for, one list per matching kind,
    most specific kind first; words of a named page's title do not count ("Partnering for
    Family Success" asks for nothing)."""
    for w in set(re.findall(r"[A-Za-z]{3,}", title)):
        question = re.sub(rf"\b{re.escape(w)}\b", " ", question, flags=re.I)
    seen: set[str] = set()
    groups: list[list[str]] = []
    for kind in (cfg.get("headings") or {}).get("kinds") or []:
        if re.search(kind["question"], question, re.I):
            group = [h for h in kind["headings"] if h not in seen]
            seen.update(group)
            if group:
                groups.append(group)
    return groups


def wanted(question: str, cfg: dict[str, Any], title: str = "") -> list[str]:
    """The asked-for section headings as one list, most specific first."""
    return [h for group in wanted_groups(question, cfg, title) for h in group]


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
        return np.array([ids.setdefault(page_of(c), len(ids)) for c in loaded.stored.chunks])

    return loaded.derived("page_ids", build)


MAX_TITLES = 3  # a title word shared by more pages than this names none of them


def _title_words(loaded: Loaded, generic: frozenset[str]) -> list[frozenset[str]]:
    """Per page number, the title words that can name it ("rikers", "kirklees")."""

    def build() -> list[frozenset[str]]:
        titles = [{w for w in words(t) if len(w) >= 3 and w not in STOPWORDS | generic} for t in _titles(loaded)]
        # A word in many titles ("private", "london") names none of them.
        df: dict[str, int] = {}
        for ws in titles:
            for w in ws:
                df[w] = df.get(w, 0) + 1
        return [frozenset(w for w in ws if df[w] <= MAX_TITLES) for ws in titles]

    return loaded.derived(("title_words", generic), build)


TEMPLATE_TYPES = frozenset({"case-study", "evidence", "fund", "project"})


def _templated(loaded: Loaded) -> np.ndarray:
    """True for sections of pages built from a template with set headings (case studies, evidence...)."""
    return loaded.derived(
        "templated", lambda: np.array([c.get("type") in TEMPLATE_TYPES for c in loaded.stored.chunks])
    )


def _titles(loaded: Loaded) -> list[str]:
    """Each page number's title."""

    def build() -> list[str]:
        out: dict[int, str] = {}
        for c, p in zip(loaded.stored.chunks, _pages(loaded), strict=True):
            out.setdefault(int(p), c["title"])
        return [out[p] for p in range(len(out))]

    return loaded.derived("page_titles", build)


def reorder(loaded: Loaded, query: str, fused: np.ndarray, cfg: dict[str, Any]) -> np.ndarray:
    """Scores with the asked-for section of each named page moved to the top of its page.

    Only on template pages the query names ("rikers results" reorders the Rikers pages), and
    only within each page: a section under an asked-for heading that scores within (boost) of
    its page's best section takes that best score (and a hair more). Other pages keep their
    places. Words of the page's own title ask for nothing ("Partnering for Family Success").
    When several headings are asked for, the one listed first in kb/search.yaml comes first."""
    hcfg = cfg.get("headings") or {}
    boost = float(hcfg.get("boost", 0.0))
    if boost <= 0 or not len(fused):
        return fused
    pages = _pages(loaded)
    asked_words = set(words(query))
    titles = _title_words(loaded, frozenset(hcfg.get("generic", "").split()))
    candidates = np.flatnonzero(fused > 0)
    named = {int(p) for p in np.unique(pages[candidates]) if titles[p] & asked_words}
    if not named:
        return fused
    best = np.zeros(int(pages.max()) + 1, dtype=np.float64)
    np.maximum.at(best, pages, fused)
    top = best[pages]
    near = (fused > 0) & (fused >= (1.0 - boost) * top) & _templated(loaded)
    out = fused.astype(np.float64, copy=True)
    names = _titles(loaded)
    for page in named:
        on_page = near & (pages == page)
        if not on_page.any():
            continue
        masks = [_mask(loaded, (h,)) for h in wanted(query, cfg, names[page])]
        done = np.zeros(len(fused), dtype=bool)
        for rank, mask in enumerate(masks):
            lift = on_page & ~done & mask
            # Steps of 1e-4 survive float32 (about 7 digits); earlier headings come first.
            out[lift] = top[lift] * (1.0 + 1e-4 * (len(masks) - rank))
            done |= lift
    return out.astype(fused.dtype)
