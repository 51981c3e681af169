"""BM25 over the same chunks as the dense index, saved inside each index version."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from search_api.index.store import StoredIndex
from search_api.index.textproc import tokens

logging.getLogger("bm25s").setLevel(logging.WARNING)
log = logging.getLogger("search_api.index.lexical")


def chunk_tokens(chunk: dict[str, Any]) -> list[str]:
    """What BM25 indexes: title and section count, so repeat them once for weight."""
    return tokens(f"{chunk['title']} {chunk['section']} {chunk['section']} {chunk['text']}")


def build_bm25(chunks: list[dict[str, Any]]) -> bm25s.BM25:
    """BM25 over chunks, in memory (under a second for the whole hub)."""
    retriever = bm25s.BM25()
    corpus = [chunk_tokens(c) or ["_empty_"] for c in chunks]
    if corpus:
        retriever.index(corpus, show_progress=False)
    return retriever


def write_bm25(folder: Path, chunks: list[dict[str, Any]]) -> None:
    """Build BM25 for a new index version and save it beside the vectors."""
    build_bm25(chunks).save(str(folder / "bm25"))


def load_bm25(stored: StoredIndex) -> tuple[bm25s.BM25, bool]:
    """The saved BM25 of an index version and whether it had to be rebuilt (missing or damaged)."""
    path = stored.path / "bm25"
    if path.is_dir():
        try:
            retriever = bm25s.BM25.load(str(path))
            # Scores index chunks by position, so the saved BM25 must cover exactly these chunks.
            if int(retriever.scores.get("num_docs", -1)) == len(stored.chunks):
                return retriever, False
        except Exception as exc:  # noqa: BLE001 - a damaged file raises many types; the chunks suffice
            log.warning("saved BM25 of %s unreadable (%s); rebuilt in memory", stored.version, type(exc).__name__)
        return build_bm25(stored.chunks), True
    # An index older than saved BM25: build it, as expected, not as a repair.
    return build_bm25(stored.chunks), False


def bm25_scores(retriever: bm25s.BM25, query_tokens: list[str], n: int) -> np.ndarray:
    """BM25 score of every chunk for the query (zeros when no query word is known)."""
    known = [t for t in query_tokens if t in retriever.vocab_dict]
    if not known or n == 0:
        return np.zeros(n, dtype=np.float32)
    return np.asarray(retriever.get_scores(known), dtype=np.float32)
