"""Routing without a model: regular-expression rules from kb/ask.yaml decide what a message is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from search_api import paths
from search_api.ask.guardrails import Turn
from search_api.index.textproc import words
from search_api.search import kinds, retrieval

CONFIG_FILE = paths.ASK_CONFIG
PROJECT_TYPES = ("case-study", "project")


@dataclass
class Rule:
    """One route: its name, compiled patterns, fixed reply and optional link."""

    name: str
    patterns: list[re.Pattern[str]]
    whole: bool
    reply: str
    link: dict[str, str] | None
    # True when the decline should offer the closest pages (found by search) as links.
    related: bool = False


@dataclass
class Route:
    """The route a message takes and what the bot says for it."""

    name: str
    reply: str
    link: dict[str, str] | None = None
    related: bool = False


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict[str, Any]:
    cfg = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    rules = []
    for item in cfg.get("routes", []):
        flags = re.I | re.S
        pats = [re.compile(p, flags) for p in item["patterns"]]
        related = item.get("related") == "search"
        rules.append(Rule(item["name"], pats, bool(item.get("whole")), item["reply"], item.get("link"), related))
    cfg["_rules"] = rules
    cfg["_filler"] = set(cfg.get("project_filler", "").split())
    cfg["_generic"] = set(cfg.get("project_generic", "").split())
    return cfg


def config(path: Path = CONFIG_FILE) -> dict[str, Any]:
    """The chatbot settings, reloaded when the file changes."""
    return _load(str(path), path.stat().st_mtime)


def match_rules(question: str, cfg: dict[str, Any] | None = None) -> Route | None:
    """The first rule the question matches, or None for a question to answer."""
    cfg = cfg or config()
    text = question.strip()
    for rule in cfg["_rules"]:
        for pattern in rule.patterns:
            hit = pattern.fullmatch(text) if rule.whole else pattern.search(text)
            if hit:
                return Route(rule.name, rule.reply, rule.link, rule.related)
    return None


_LEADING_GREETING = re.compile(
    r"^\s*(hi|hello|hey|hiya|good\s+(morning|afternoon|evening))(\s+there)?\s*[,!.:;-]+\s*", re.I
)


def strip_greeting(question: str) -> str:
    """'Hello, what is a SIB?' -> 'what is a SIB?' (the greeting is not part of the question)."""
    return _LEADING_GREETING.sub("", question, count=1)


_PREPOSITIONS = {"in", "for", "with", "at", "by", "from", "outside", "before", "after", "during"}


def is_follow_up(question: str, cfg: dict[str, Any] | None = None) -> bool:
    """True for an elliptical follow-up such as 'and in the US?' or 'who paid for it?'."""
    cfg = (cfg or config())["follow_up"]
    lowered = question.lower().strip()
    ws = words(lowered)
    if any(lowered.startswith(o) for o in cfg["openers"]):
        return True
    short = len(ws) <= int(cfg["max_words"])
    if short and ws and ws[0] in _PREPOSITIONS:
        return True
    if len(ws) <= int(cfg.get("pronoun_max_words", cfg["max_words"])) and any(w in cfg["pronouns"] for w in ws):
        return True
    # "who was the provider?" names nothing (no capitalised word, abbreviation or number),
    # so it can only be about what came before.
    names_something = re.search(r"(?<!^)\b[A-Z0-9]|^[A-Z]{2,}", question.strip())
    return len(ws) <= 2 or (short and not names_something)


def with_context(question: str, history: list[Turn], cfg: dict[str, Any] | None = None) -> str:
    """The question to retrieve with: a follow-up is joined to the previous user question."""
    previous = [t.text for t in history if t.role == "user"]
    if not previous or not is_follow_up(question, cfg):
        return question
    return f"{previous[-1]} {question}"


def names_in(question: str, title: str, cfg: dict[str, Any] | None = None) -> bool:
    """True when the question names the project or place of a page title."""
    cfg = cfg or config()
    return bool(_named(question, title, cfg))


def _named(question: str, title: str, cfg: dict[str, Any]) -> set[str]:
    """Distinctive title words the question uses as names: written with a capital
    ("Peterborough"), or at least two of them ("rikers island"). One lower-case common
    word ("first", "development") names nothing."""
    asked = set(words(question))
    matched = _distinctive(title, cfg["_generic"]) & asked
    capitalised = {w for w in matched if re.search(rf"\b{w[0].upper()}{re.escape(w[1:])}", question)}
    # Every word of the title, in lower case ("project apollo sib", "forward outcomes partnerships"), names it too.
    whole = bool(matched) and {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", title) if len(w) >= 3} <= asked
    return matched if len(matched) >= 2 or capitalised or whole else set()


def _distinctive(title: str, generic: set[str]) -> set[str]:
    """Capitalised title words that name a place or project ("Peterborough", "Rikers")."""
    out = set()
    for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", title):
        if w[0].isupper() and len(w) >= 3 and w.lower() not in generic:
            out.add(w.lower())
    return out


def _asks_part(question: str, title: str) -> bool:
    """True when the question, less the page title's words, asks for a kind of section."""
    return bool(kinds.wanted(question, retrieval.settings(), title))


def project_page(question: str, hits: list[Any], cfg: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The case study or project page a question only names ("tell me about Rikers Island")."""
    cfg = cfg or config()
    asked = words(question)
    # A hand-written case study beats the generated INDIGO page of the same project.
    ranked = sorted(
        hits[:5], key=lambda h: PROJECT_TYPES.index(h.chunk["type"]) if h.chunk.get("type") in PROJECT_TYPES else 9
    )
    for hit in ranked:
        chunk = hit.chunk
        if chunk.get("type") not in PROJECT_TYPES:
            continue
        names = _distinctive(chunk["title"], cfg["_generic"])
        if not _named(question, chunk["title"], cfg):
            continue
        if _asks_part(question, chunk["title"]):
            # "essex mst outcomes" asks for one part of the page (its results), not its opening.
            return None
        title_words = {w.lower() for w in re.findall(r"[A-Za-z0-9'’-]+", chunk["title"])}
        rest = [w for w in asked if w not in cfg["_filler"] and w not in title_words and w not in names]
        if not rest:
            return chunk
    return None
