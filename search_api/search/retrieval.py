"""Hybrid retrieval: dense (FAISS) and lexical (BM25) rankings fused, filtered, de-duplicated."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from search_api import paths
from search_api.index.embedder import Encoder
from search_api.index.lexical import bm25_scores
from search_api.index.loaded import Loaded
from search_api.index.questions import best_per_section
from search_api.index.textproc import normalise_query, stem, tokens
from search_api.search import kinds, spelling

SETTINGS_FILE = paths.SEARCH_CONFIG
FILTER_FIELDS = ("type", "policy_area", "country")
MODES = ("hybrid", "dense", "bm25")


@lru_cache(maxsize=1)
def settings(path: Path = SETTINGS_FILE) -> dict[str, Any]:
    """Fusion settings from kb/search.yaml."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@dataclass
class Hit:
    """One result: the chunk and how it scored."""

    chunk: dict[str, Any]
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    snippet: str = ""
    highlights: list[list[int]] = field(default_factory=list)


def chunk_value(chunk: dict[str, Any], name: str) -> str | None:
    """A filterable field of a chunk: its page type, policy area or country."""
    if name == "type":
        return chunk.get("type")
    value = chunk.get("meta", {}).get(name)
    return None if value is None else str(value)


def filter_values(loaded: Loaded) -> dict[str, list[str]]:
    """Every value each filter can take in the current index (for validation errors)."""

    def build() -> dict[str, list[str]]:
        values: dict[str, set[str]] = {f: set() for f in FILTER_FIELDS}
        for chunk in loaded.stored.chunks:
            for f in FILTER_FIELDS:
                v = chunk_value(chunk, f)
                if v:
                    values[f].add(v)
        return {f: sorted(v) for f, v in values.items()}

    return loaded.derived("filter_values", build)


def _mask(loaded: Loaded, filters: dict[str, str]) -> np.ndarray | None:
    active = {k: v.lower() for k, v in filters.items() if v}
    if not active:
        return None
    chunks = loaded.stored.chunks
    return np.array(
        [all((chunk_value(c, f) or "").lower() == v for f, v in active.items()) for c in chunks], dtype=bool
    )


def _ranks(scores: np.ndarray, eligible: np.ndarray, limit: int) -> list[int]:
    order = np.argsort(-scores, kind="stable")
    keep = order[eligible[order] & (scores[order] > 0)]
    return keep[:limit].tolist()


def search(
    loaded: Loaded,
    encoder: Encoder | None,
    query: str,
    k: int = 10,
    filters: dict[str, str] | None = None,
    mode: str = "hybrid",
    query_vector: np.ndarray | None = None,
) -> list[Hit]:
    """The top k sections for a query; mode picks dense, bm25 or both fused."""
    cfg = settings()
    chunks = loaded.stored.chunks
    n = len(chunks)
    if n == 0:
        return []
    expanded = normalise_query(spelling.correct(loaded, query))
    mask = _mask(loaded, filters or {})
    eligible = np.ones(n, dtype=bool) if mask is None else mask
    limit = max(k, int(cfg["candidates"]))
    dense = np.zeros(n, dtype=np.float32)
    if mode in ("hybrid", "dense"):
        if query_vector is None:
            assert encoder is not None
            query_vector = encoder.encode([expanded])[0]
        sims, ids = loaded.stored.faiss_index.search(query_vector.reshape(1, -1).astype(np.float32), n)
        dense[ids[0]] = sims[0]
        dense = _with_questions(loaded, dense, query_vector, cfg)
    lexical = np.zeros(n, dtype=np.float32)
    if mode in ("hybrid", "bm25"):
        lexical = bm25_scores(loaded.bm25, tokens(expanded), n)
    if mode == "dense":
        fused, order = dense, _ranks(dense + 2.0, eligible, limit)  # +2 keeps negative cosines rankable
    elif mode == "bm25":
        fused, order = lexical, _ranks(lexical, eligible, limit)
    else:
        fused = _fuse(dense, lexical, eligible, limit, cfg) * _priors(loaded, cfg)
        fused = kinds.reorder(loaded, expanded, fused, cfg)
        order = _ranks(fused, eligible, limit)
    hits: list[Hit] = []
    seen: set[str] = set()
    for i in order:
        chunk = chunks[i]
        if chunk["url"] in seen:
            continue
        seen.add(chunk["url"])
        hit = Hit(chunk, float(fused[i]), float(dense[i]), float(lexical[i]))
        hit.snippet, hit.highlights = snippet(chunk["text"], expanded, int(cfg["snippet_chars"]))
        hits.append(hit)
        if len(hits) == k:
            break
    return hits


def _with_questions(loaded: Loaded, dense: np.ndarray, query_vector: np.ndarray, cfg: dict) -> np.ndarray:
    """The meaning score with question-to-question matches folded in (kb/search.yaml questions)."""
    qcfg = cfg.get("questions") or {}
    weight = float(qcfg.get("weight", 0.0))
    if weight <= 0 or loaded.questions is None:
        return dense
    asked = best_per_section(loaded.questions, query_vector, len(dense))
    if qcfg.get("mix", "max") == "max":
        return np.maximum(dense, weight * asked)
    return (dense + weight * asked) / (1.0 + weight)


def _priors(loaded: Loaded, cfg: dict) -> np.ndarray:
    """Per-chunk multipliers by page type (kb/search.yaml type_prior), cached per index and setting."""
    weights = cfg.get("type_prior") or {}
    key = ("type_prior", tuple(sorted(weights.items())))
    return loaded.derived(
        key, lambda: np.array([float(weights.get(c.get("type"), 1.0)) for c in loaded.stored.chunks], dtype=np.float32)
    )


def _fuse(dense: np.ndarray, lexical: np.ndarray, eligible: np.ndarray, limit: int, cfg: dict) -> np.ndarray:
    if cfg["fusion"] == "weighted":
        top = float(lexical.max()) or 1.0
        alpha = float(cfg["alpha"])
        return np.where(eligible, alpha * np.clip(dense, 0, 1) + (1 - alpha) * lexical / top, 0).astype(np.float32)
    rrf_k = float(cfg["rrf_k"])
    fused = np.zeros_like(dense)
    for scores, weight in ((dense + 2.0, cfg["dense_weight"]), (lexical, cfg["bm25_weight"])):
        for rank, i in enumerate(_ranks(scores, eligible, limit)):
            fused[i] += float(weight) / (rrf_k + rank + 1)
    return fused


_WORD_RE = re.compile(r"[A-Za-z0-9£$€']+")
_SENTENCE_END = re.compile(r"[.!?] ")


def snippet(text: str, query: str, size: int = 240) -> tuple[str, list[list[int]]]:
    """The window of text with most query words, and [start, end] offsets of those words in it."""
    flat = " ".join(text.split())
    wanted = set(tokens(query))
    spans = [(m.start(), m.end()) for m in _WORD_RE.finditer(flat) if stem(m.group(0).lower()) in wanted]
    offset, prefix = 0, ""
    if len(flat) > size:
        starts = [0] + [m.end() for m in _SENTENCE_END.finditer(flat)]
        begins = [a for a, _ in spans]
        # The sentence start whose window holds most matches (earliest on ties).
        offset = max(starts, key=lambda st: (bisect_left(begins, st + size) - bisect_left(begins, st), -st))
        cut = flat[offset : offset + size]
        if offset + size < len(flat) and " " in cut:
            cut = cut[: cut.rfind(" ")] + " …"
        prefix = "… " if offset else ""
        end = offset + len(cut)
        flat = prefix + cut
        spans = [(a, b) for a, b in spans if a >= offset and b <= end]
    shift = len(prefix) - offset
    return flat, [[a + shift, b + shift] for a, b in spans]
