"""Tiny hand-made indexes for the chatbot's unit tests: sections as dicts, no vectors needed."""

from __future__ import annotations

import numpy as np

from search_api.index import questions
from search_api.index.loaded import Loaded
from search_api.index.store import StoredIndex


def loaded(chunks: list[dict], qv: questions.QuestionVectors | None = None) -> Loaded:
    """A loaded index of these sections (zero vectors), with optional readers' questions."""
    stored = StoredIndex("v1", None, {}, chunks, None, np.zeros((len(chunks), 4), dtype=np.float32))
    return Loaded(stored, bm25=None, questions=qv)


def chunk(url: str, title: str, text: str, section: str | None = None, kind: str | None = None) -> dict:
    """One section; kind is its page type (omitted when None)."""
    out = {"url": url, "page": url.split("#")[0], "title": title, "section": section or title, "text": text, "meta": {}}
    if kind is not None:
        out["type"] = kind
    return out
