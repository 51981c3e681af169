"""When the search index cannot load: say why in plain words, and search by words alone."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from search_api.config import Settings
from search_api.index import store as index_store
from search_api.index.embedder import DIMENSION, first_line
from search_api.index.sources import pages_file, read_pages

log = logging.getLogger("search_api.search.fallback")
# A failed load is remembered this long (unless the CURRENT pointer changes first), so a
# broken index costs one attempt per interval, never one per request.
RETRY_SECONDS = 30.0
FIX = "Rebuild it with `make index`."
REQUIRED = ("title", "section", "text", "url")


def describe_index_error(index_dir: Path, exc: BaseException) -> str:
    """Which part of the index is broken and what to do, without stack traces or library internals."""
    version = index_store.current_version(index_dir)
    if version is None:
        return (
            "No search index has been built yet: the index folder has no CURRENT pointer. Build it with `make index`."
        )
    folder = index_dir / version
    if not folder.is_dir():
        return f"The CURRENT pointer names index version {version}, but that folder is missing. {FIX}"
    if isinstance(exc, index_store.IndexMismatchError):
        return str(exc)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"Index version {version} has no manifest.json. {FIX}"
    except (OSError, ValueError):
        return f"The manifest.json of index version {version} is not valid JSON. {FIX}"
    if not isinstance(manifest, dict) or manifest.get("format_version") != index_store.FORMAT_VERSION:
        return f"The manifest.json of index version {version} has an unknown format. {FIX}"
    cause = exc.__cause__ if isinstance(exc, index_store.IndexError_) else exc
    if isinstance(cause, RuntimeError):
        return f"The vector file (vectors.faiss) of index version {version} is damaged or unreadable. {FIX}"
    if isinstance(cause, (OSError, ValueError)):
        return f"The chunk file (chunks.jsonl) of index version {version} is missing or damaged. {FIX}"
    text = first_line(exc).replace(str(folder), f"index version {version}").replace(str(index_dir), "the index folder")
    return text if isinstance(exc, index_store.IndexError_) else f"Index version {version} could not be loaded: {text}"


def usable(chunk: Any) -> bool:
    """True for a chunk BM25 and the result list can use."""
    return isinstance(chunk, dict) and all(isinstance(chunk.get(k), str) for k in REQUIRED)


def read_chunks(path: Path) -> list[dict[str, Any]]:
    """The well-formed chunks of a chunks.jsonl file; damaged lines (a torn write) are skipped."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if usable(item):
                out.append(item)
    return out


def lexical_chunks(settings: Settings, version: str | None) -> tuple[list[dict[str, Any]], str]:
    """Chunks for a words-only search: the given index version's if readable, else the site's pages."""
    from search_api.index.chunker import chunks_from_pages

    if version:
        try:
            chunks = read_chunks(settings.index_dir / version / "chunks.jsonl")
            if chunks:
                return chunks, f"the chunks of index version {version}"
        except OSError:
            pass
    try:
        chunks = [c for c in chunks_from_pages(read_pages(settings.site_dir)) if usable(c)]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise index_store.IndexMissingError(
            "Words-only search is unavailable too: the site's page export (_hub/pages.jsonl) is missing "
            f"or damaged ({type(exc).__name__}). Run `make site index`."
        ) from exc
    if not chunks:
        raise index_store.IndexMissingError("Words-only search is unavailable too: the site exported no pages.")
    return chunks, "the site's page export"


class LexicalFallback:
    """A words-only index built once per state of the CURRENT pointer and page export; failures remembered."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._value: Any = None
        self.error: str | None = None
        self._at = 0.0

    def _state(self) -> tuple[Any, ...]:
        try:
            mtime = pages_file(self.settings.site_dir).stat().st_mtime_ns
        except OSError:
            mtime = None
        return index_store.current_version(self.settings.index_dir), mtime

    def get(self) -> Any:
        """The words-only Loaded index (raises IndexMissingError when nothing can be read)."""
        key, now = self._state(), time.monotonic()
        with self._lock:
            if key != self._key or (self._value is None and now - self._at >= RETRY_SECONDS):
                self._key, self._at = key, now
                try:
                    self._value, self.error = self._build(key[0]), None
                except index_store.IndexError_ as exc:
                    self._value, self.error = None, str(exc)
            if self._value is None:
                raise index_store.IndexMissingError(self.error or "Words-only search is unavailable.")
            return self._value

    def _build(self, version: str | None) -> Any:
        """The words-only index for the CURRENT version already read by get()."""
        from search_api.index.lexical import build_bm25
        from search_api.index.loaded import Loaded

        chunks, source = lexical_chunks(self.settings, version)
        stored = index_store.StoredIndex(
            version=f"lexical-{version or 'pages'}",
            path=self.settings.index_dir / version if version else self.settings.site_dir,
            manifest={"lexical_only": True, "source": source, "chunk_count": len(chunks)},
            chunks=chunks,
            faiss_index=None,
            vectors=np.zeros((0, DIMENSION), dtype=np.float32),
        )
        log.warning("search runs on words only, from %s (%d chunks)", source, len(chunks))
        return Loaded(stored, build_bm25(chunks), lexical_only=True, source=source)
