"""BM25 over the same chunks as the dense index, saved inside each index version."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from .index_store import StoredIndex
from .textproc import tokens

logging.getLogger("bm25s").setLevel(logging.WARNING)


def chunk_tokens(chunk: dict[str, Any]) -> list[str]:
    """What BM25 indexes: title and section count, so repeat them once for weight."""
    return tokens(f"{chunk['title']} {chunk['section']} {chunk['section']} {chunk['text']}")


def write_bm25(folder: Path, chunks: list[dict[str, Any]]) -> None:
    """Build BM25 for a new index version and save it beside the vectors."""
    retriever = bm25s.BM25()
    corpus = [chunk_tokens(c) or ["_empty_"] for c in chunks]
    if corpus:
        retriever.index(corpus, show_progress=False)
    retriever.save(str(folder / "bm25"))


def load_bm25(stored: StoredIndex) -> dict[str, Any]:
    """Load the saved BM25 of an index version (rebuilt in memory if an old index lacks it)."""
    path = stored.path / "bm25"
    if path.is_dir():
        retriever = bm25s.BM25.load(str(path))
    else:
        retriever = bm25s.BM25()
        retriever.index([chunk_tokens(c) or ["_empty_"] for c in stored.chunks], show_progress=False)
    return {"bm25": retriever}


def bm25_scores(retriever: bm25s.BM25, query_tokens: list[str], n: int) -> np.ndarray:
    """BM25 score of every chunk for the query (zeros when no query word is known)."""
    known = [t for t in query_tokens if t in retriever.vocab_dict]
    if not known or n == 0:
        return np.zeros(n, dtype=np.float32)
    return np.asarray(retriever.get_scores(known), dtype=np.float32)
