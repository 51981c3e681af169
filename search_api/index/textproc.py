"""Tokenising and query normalisation shared by BM25, highlights and the chatbot."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from search_api import paths

GLOSSARY = paths.GLOSSARY
_WORD = re.compile(r"[a-z0-9£$€]+(?:['’][a-z]+)?")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not of off on once only or other our ours ourselves out over own same she should so some
    such than that the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your yours
    yourself yourselves s t don isn aren wasn weren hasn haven didn doesn won wouldn shouldn""".split()
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper: enough to match plurals and common verb forms."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: len(word) - len(suffix)] + repl
    return word


def words(text: str) -> list[str]:
    """Lower-case word tokens, stop words kept (for highlighting and overlap)."""
    return _WORD.findall(text.lower().replace("’", "'"))


def tokens(text: str) -> list[str]:
    """BM25 tokens: lower-case, stop words dropped, lightly stemmed."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


@lru_cache(maxsize=4)
def _abbreviations(path: str, mtime: float) -> dict[str, str]:
    entries = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    out: dict[str, str] = {}
    for entry in entries:
        abbr = entry.get("abbreviation")
        if abbr:
            out[abbr.lower()] = entry["term"]
    return out


def abbreviations(path: Path = GLOSSARY) -> dict[str, str]:
    """Abbreviation (lower case) -> term, from the glossary (reloaded when the file changes)."""
    try:
        return _abbreviations(str(path), path.stat().st_mtime)
    except FileNotFoundError:
        return {}


_ABBR_TOKEN = re.compile(r"\b[A-Za-z][A-Za-z&]{1,9}\b")


def normalise_query(query: str, glossary: dict[str, str] | None = None) -> str:
    """Collapse whitespace and expand abbreviations: "is a SIB feasible" -> "... SIB (social impact bond) ..."."""
    query = " ".join(query.split())
    glossary = abbreviations() if glossary is None else glossary
    if not glossary:
        return query

    def expand(m: re.Match[str]) -> str:
        word = m.group(0)
        # Only upper-case forms (SIB, SIBs, PbR) are abbreviations; "sib" in prose is not.
        if not any(c.isupper() for c in word[1:]):
            return word
        term = glossary.get(word.lower())
        if term is None and word.endswith("s"):
            term = glossary.get(word[:-1].lower())
        # Already spelt out (the chatbot normalises, then search normalises again): keep it once.
        if not term or m.string[m.end() :].lower().startswith(f" ({term.lower()})"):
            return m.group(0)
        return f"{m.group(0)} ({term})"

    expanded = _ABBR_TOKEN.sub(expand, query)
    # Multi-word abbreviations such as "GO Lab".
    for abbr, term in glossary.items():
        if " " in abbr and abbr in query.lower() and term.lower() not in expanded.lower():
            expanded += f" ({term})"
    return expanded
