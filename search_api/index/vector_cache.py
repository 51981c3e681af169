"""One cache of embeddings by content hash: sections, readers' questions and chatbot sentences.

The index build and the server share it, so no text is embedded twice and a rebuild after an
edit embeds only the new texts."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from search_api.index.embedder import DIMENSION, MODEL_NAME, Encoder

FILE_NAME = "embedding-cache.npz"


def cache_path(index_dir: Path | str) -> Path:
    """Where the shared cache lives: in the index folder, beside the versions it feeds.

    One cache per index folder, so a build of another site (a test's, a preview) never
    prunes the vectors of this one."""
    return Path(index_dir) / FILE_NAME


def key(text: str) -> str:
    """Content hash of a text for this model (a new model never meets old vectors)."""
    return hashlib.sha256(f"{MODEL_NAME}\0{text}".encode()).hexdigest()[:24]


class VectorCache:
    """Embeddings by text hash: in memory, saved to one .npz file when a path is set."""

    SAVE_EVERY = 5.0  # seconds; saving rewrites the whole file, so not after every question

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._vecs: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._dirty = False
        self._saved_at = 0.0
        if path is not None and path.is_file():
            try:
                with np.load(path, allow_pickle=False) as data:
                    if data["vectors"].shape[1:] == (DIMENSION,):
                        self._vecs = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
            except (OSError, ValueError, KeyError):
                self._vecs = {}  # a damaged cache is rebuilt, never trusted

    def __len__(self) -> int:
        return len(self._vecs)

    def __contains__(self, text: str) -> bool:
        return key(text) in self._vecs

    def missing(self, texts: Iterable[str]) -> list[str]:
        """Texts with no vector yet, each once, shortest first (so batches pad to similar lengths)."""
        seen: dict[str, str] = {}
        for t in texts:
            k = key(t)
            if k not in self._vecs and k not in seen:
                seen[k] = t
        return sorted(seen.values(), key=len)

    def put(self, texts: list[str], vectors: np.ndarray) -> None:
        """Store vectors computed elsewhere (an earlier index version, a batch encoder).

        A text already held is left alone: each build seeds the cache from the previous
        version, and only new vectors should make the file worth rewriting."""
        with self._lock:
            for t, v in zip(texts, vectors, strict=True):
                k = key(t)
                if k not in self._vecs:
                    self._vecs[k] = np.asarray(v, dtype=np.float32)
                    self._dirty = True

    def lookup(self, texts: list[str]) -> np.ndarray:
        """Stored vectors, one row per text (KeyError when one was never embedded)."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.vstack([self._vecs[key(t)] for t in texts])

    def vectors(self, encoder: Encoder, texts: list[str]) -> np.ndarray:
        """One normalised row per text; only texts never seen before are encoded."""
        new = self.missing(texts)
        if new:
            self.put(new, encoder.encode(new))
            self.save(force=False)
        return self.lookup(texts)

    def retain(self, texts: Iterable[str]) -> None:
        """Forget vectors of texts no longer in the index (the cache would grow forever)."""
        keep = {key(t) for t in texts}
        with self._lock:
            before = len(self._vecs)
            self._vecs = {k: v for k, v in self._vecs.items() if k in keep}
            self._dirty = self._dirty or len(self._vecs) != before

    def save(self, force: bool = True) -> None:
        """Write the cache atomically (a temp file renamed over the old one)."""
        if self.path is None or not self._dirty:
            return
        if not force and time.monotonic() - self._saved_at < self.SAVE_EVERY:
            return
        with self._lock:
            keys = np.array(list(self._vecs), dtype="U24")
            vecs = (
                np.vstack(list(self._vecs.values())).astype(np.float32)
                if self._vecs
                else np.zeros((0, DIMENSION), dtype=np.float32)
            )
            self._dirty = False
            self._saved_at = time.monotonic()
        tmp = ""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz.tmp")
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, keys=keys, vectors=vecs)
            os.replace(tmp, self.path)
        except OSError:
            self._dirty = True  # a full or read-only disk only costs speed: vectors stay in memory
            if tmp:
                Path(tmp).unlink(missing_ok=True)
