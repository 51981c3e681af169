"""Declines by meaning: a question far closer to the hub's examples of questions it declines
(kb/decline_examples.yaml) than to any question its sections answer takes that decline's route."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from search_api import paths
from search_api.ask import router
from search_api.ask.router import Route, Rule
from search_api.index.embedder import Encoder
from search_api.index.loaded import Loaded
from search_api.index.vector_cache import VectorCache

EXAMPLES_FILE = paths.DECLINE_EXAMPLES


@dataclass(frozen=True)
class Examples:
    """The example questions, the route each belongs to, and the two thresholds."""

    texts: tuple[str, ...]
    routes: tuple[str, ...]
    min_cosine: float
    margin: float


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Examples:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    pairs = [(str(text), route) for route, texts in (data.get("routes") or {}).items() for text in texts or []]
    return Examples(
        tuple(t for t, _ in pairs),
        tuple(r for _, r in pairs),
        float(data.get("min_cosine", 1.0)),
        float(data.get("margin", 0.0)),
    )


def examples(path: Path = EXAMPLES_FILE) -> Examples:
    """The decline examples, reloaded when the file changes (none if it is missing)."""
    if not path.is_file():
        return Examples((), (), 1.0, 0.0)
    return _load(str(path), path.stat().st_mtime)


def _vectors(loaded: Loaded, encoder: Encoder, cache: VectorCache, found: Examples) -> np.ndarray:
    """The examples' vectors, embedded once per loaded index (and kept in the shared cache)."""
    return loaded.derived(("decline_examples", found.texts), lambda: cache.vectors(encoder, list(found.texts)))


def nearest(
    loaded: Loaded, encoder: Encoder, cache: VectorCache, qvec: np.ndarray, found: Examples
) -> tuple[str, float, float] | None:
    """(route, cosine to the closest example, cosine to the closest answerable question), or None."""
    if not found.texts:
        return None
    sims = _vectors(loaded, encoder, cache, found) @ qvec
    best = int(np.argmax(sims))
    answerable = (
        float((loaded.questions.vectors @ qvec).max())
        if loaded.questions is not None and len(loaded.questions)
        else 0.0
    )
    return found.routes[best], float(sims[best]), answerable


def decline_route(
    loaded: Loaded,
    encoder: Encoder,
    cache: VectorCache,
    qvec: np.ndarray,
    rules: list[Rule],
    found: Examples | None = None,
) -> Route | None:
    """The decline route a question is close enough to, with that rule's reply; None to answer it."""
    found = found or examples()
    near = nearest(loaded, encoder, cache, qvec, found)
    if near is None or near[1] < found.min_cosine or near[1] - near[2] < found.margin:
        return None
    rule = next((r for r in rules if r.name == near[0]), None)
    return None if rule is None else Route(rule.name, rule.reply, rule.link, rule.related)


def without_names(question: str, titles: list[str], cfg: dict[str, Any]) -> str | None:
    """The question less the words of the pages it names ("how many staff work at the"), or
    None when it names none of them or nothing is left to judge."""
    named = [t for t in dict.fromkeys(titles) if router.names_in(question, t, cfg)]
    if not named:
        return None
    drop = {w.lower() for t in named for w in re.findall(r"[A-Za-z0-9'’-]+", t)}
    kept = [w for w in question.split() if re.sub(r"[^\w'’-]", "", w).lower() not in drop]
    return " ".join(kept) if len(kept) >= 3 and len(kept) < len(question.split()) else None
