"""Readers' questions each section answers, embedded beside the sections in each index version.

A reader's question is compared with these question-to-question (what the model was trained
on); a section scores the cosine of its closest question.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from search_api.index.store import StoredIndex

FILE_NAME = "questions.npz"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QuestionVectors:
    """Question texts, their vectors, and the position of the section each belongs to."""

    texts: list[str]
    vectors: np.ndarray
    owners: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)


def section_questions(chunks: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """(section position, question) for every question the chunks carry, in order."""
    return [(i, str(q)) for i, c in enumerate(chunks) for q in (c.get("meta") or {}).get("questions") or []]


def write(folder: Path, owners: list[int], texts: list[str], vectors: np.ndarray) -> None:
    """Save the questions of one index version (no pickles: plain arrays only)."""
    np.savez(
        folder / FILE_NAME,
        vectors=np.ascontiguousarray(vectors, dtype=np.float32),
        owners=np.asarray(owners, dtype=np.int32),
        texts=np.asarray(texts, dtype=str),
    )


def load(stored: StoredIndex) -> QuestionVectors | None:
    """The questions of an index version, or None (older index, no questions, or a damaged file)."""
    path = stored.path / FILE_NAME
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            qv = QuestionVectors([str(t) for t in data["texts"]], data["vectors"].astype(np.float32), data["owners"])
    except Exception as exc:  # noqa: BLE001 - a damaged file must only switch the feature off
        log.warning("questions of %s unreadable (%s); searching without them", stored.version, type(exc).__name__)
        return None
    if len(qv.owners) and int(qv.owners.max()) >= len(stored.chunks):
        log.warning("questions of %s do not match its sections; searching without them", stored.version)
        return None
    return qv


def previous(stored: StoredIndex | None) -> dict[str, np.ndarray]:
    """Vectors of an earlier version's questions by text, so a rebuild embeds only new ones."""
    qv = load(stored) if stored is not None else None
    return {} if qv is None else {t: qv.vectors[i] for i, t in enumerate(qv.texts)}


def best_per_section(qv: QuestionVectors | None, query_vector: np.ndarray, n: int) -> np.ndarray:
    """Each section's highest question cosine to the query (0 where a section has no questions)."""
    out = np.zeros(n, dtype=np.float32)
    if qv is None or not len(qv):
        return out
    sims = qv.vectors @ query_vector.astype(np.float32)
    np.maximum.at(out, qv.owners, np.maximum(sims, 0.0))
    return out
