"""Hybrid retrieval: dense (FAISS) and lexical (BM25) rankings fused, filtered, de-duplicated."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .config import ROOT
from .embedder import Encoder
from .lexical import bm25_scores
from .resources import Loaded
from .textproc import normalise_query, stem, tokens, words

SETTINGS_FILE = ROOT / "kb" / "search.yaml"
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
    if "filter_values" not in loaded.extras:
        values: dict[str, set[str]] = {f: set() for f in FILTER_FIELDS}
        for chunk in loaded.stored.chunks:
            for f in FILTER_FIELDS:
                v = chunk_value(chunk, f)
                if v:
                    values[f].add(v)
        loaded.extras["filter_values"] = {f: sorted(v) for f, v in values.items()}
    return loaded.extras["filter_values"]


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
    return [int(i) for i in order if eligible[i] and scores[i] > 0][:limit]


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
    expanded = normalise_query(query)
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
    lexical = np.zeros(n, dtype=np.float32)
    if mode in ("hybrid", "bm25"):
        lexical = bm25_scores(loaded.extras["bm25"], tokens(expanded), n)
    if mode == "dense":
        fused, order = dense, _ranks(dense + 2.0, eligible, limit)  # +2 keeps negative cosines rankable
    elif mode == "bm25":
        fused, order = lexical, _ranks(lexical, eligible, limit)
    else:
        fused = _fuse(dense, lexical, eligible, limit, cfg)
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


def _fuse(dense: np.ndarray, lexical: np.ndarray, eligible: np.ndarray, limit: int, cfg: dict) -> np.ndarray:
    fused = np.zeros_like(dense)
    if cfg["fusion"] == "weighted":
        top = float(lexical.max()) or 1.0
        alpha = float(cfg["alpha"])
        return np.where(eligible, alpha * np.clip(dense, 0, 1) + (1 - alpha) * lexical / top, 0).astype(np.float32)
    rrf_k = float(cfg["rrf_k"])
    for scores, weight in ((dense + 2.0, cfg["dense_weight"]), (lexical, cfg["bm25_weight"])):
        for rank, i in enumerate(_ranks(scores, eligible, limit)):
            fused[i] += float(weight) / (rrf_k + rank + 1)
    return fused


def snippet(text: str, query: str, size: int = 240) -> tuple[str, list[list[int]]]:
    """The window of text with most query words, and [start, end] offsets of those words in it."""
    flat = " ".join(text.split())
    wanted = {stem(w) for w in tokens(query)}
    if len(flat) > size:
        best, best_hits = 0, -1
        starts = [0] + [i + 2 for i in range(len(flat)) if flat.startswith(". ", i)]
        for start in starts:
            window = flat[start : start + size]
            hits = sum(1 for w in words(window) if stem(w) in wanted)
            if hits > best_hits:
                best, best_hits = start, hits
        cut = flat[best : best + size]
        if best + size < len(flat):
            cut = cut[: cut.rfind(" ")] + " …" if " " in cut else cut
        flat = ("… " if best else "") + cut
    highlights: list[list[int]] = []
    import re

    for m in re.finditer(r"[A-Za-z0-9£$€']+", flat):
        if stem(m.group(0).lower()) in wanted:
            highlights.append([m.start(), m.end()])
    return flat, highlights
