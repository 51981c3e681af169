"""A loaded index version and the structures derived from it, each built once on first use."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from search_api.index.questions import QuestionVectors
from search_api.index.store import StoredIndex

T = TypeVar("T")


def page_of(chunk: dict[str, Any]) -> str:
    """The URL of the page a section belongs to (its own URL without the anchor)."""
    return chunk.get("page") or chunk["url"].split("#")[0]


@dataclass
class Loaded:
    """An index version with its BM25, plus a typed cache of what features derive from it."""

    stored: StoredIndex
    bm25: Any
    # True when the saved BM25 was missing or damaged and had to be rebuilt in memory.
    bm25_rebuilt: bool = False
    # True for the words-only stand-in built when the real index cannot load.
    lexical_only: bool = False
    source: str = "the index"
    # Readers' questions per section (questions.npz), matched question-to-question; None if absent.
    questions: QuestionVectors | None = None
    _derived: dict[Hashable, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """The structure stored under `key`, built by `build()` the first time it is asked for."""
        try:
            return self._derived[key]
        except KeyError:
            pass
        value = build()
        with self._lock:
            # Two threads may build at once; both get the first value stored, so all callers agree.
            return self._derived.setdefault(key, value)

    def has(self, key: Hashable) -> bool:
        """True once the structure under `key` has been built."""
        return key in self._derived
