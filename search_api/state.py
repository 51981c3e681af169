"""Per-process state: the encoder and the index, loaded lazily once and swapped atomically."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from flask import Flask

from search_api.config import Settings
from search_api.index import questions
from search_api.index import store as index_store
from search_api.index.embedder import DIMENSION, MODEL_NAME, Encoder, ModelMissingError, first_line, pin_threads
from search_api.index.lexical import load_bm25
from search_api.index.loaded import Loaded
from search_api.index.sources import source_fingerprint
from search_api.search import fallback

log = logging.getLogger("search_api.state")
# How often a request may look at the CURRENT pointer for a newer index.
RELOAD_CHECK_SECONDS = 1.0


class Resources:
    """Holds the encoder and the current index for one process."""

    def __init__(self, settings: Settings, encoder_factory: Callable[[], Encoder] | None = None) -> None:
        self.settings = settings
        self._encoder_factory = encoder_factory
        self._encoder: Encoder | None = None
        self._loaded: Loaded | None = None
        self._lock = threading.Lock()
        self._last_check = 0.0
        self._fingerprint_cache: tuple[float, str] | None = None
        self.index_error: str | None = None
        self.model_error: str | None = None
        # (CURRENT version, when, error class) of the last failed load, so it is not retried per request.
        self._index_failure: tuple[str | None, float, type[index_store.IndexError_]] | None = None
        self._model_failed_at: float | None = None
        # Something worth telling an operator about the encoder that still works (e.g. ONNX fell back).
        self.encoder_notes: list[str] = []
        self.fallback = fallback.LexicalFallback(settings)
        pin_threads()

    @property
    def uses_disk_model(self) -> bool:
        """True unless a test supplied its own encoder."""
        return self._encoder_factory is None

    def encoder(self) -> Encoder:
        """The query encoder, loaded on first use; a failure is remembered for RETRY_SECONDS."""
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    now = time.monotonic()
                    failed = self._model_failed_at
                    if failed is not None and now - failed < fallback.RETRY_SECONDS:
                        raise ModelMissingError(self.model_error or "The model could not be loaded.")
                    try:
                        if self._encoder_factory is not None:
                            self._encoder = self._encoder_factory()
                        else:
                            notes: list[str] = []
                            self._encoder = choose_encoder(self.settings, notes)
                            self.encoder_notes = notes
                        self.model_error, self._model_failed_at = None, None
                    except ModelMissingError as exc:
                        self.model_error, self._model_failed_at = str(exc), now
                        raise
        return self._encoder

    def index(self) -> Loaded:
        """The current index; reloads when a newer version appears on disk."""
        now = time.monotonic()
        if self._loaded is None or now - self._last_check > RELOAD_CHECK_SECONDS:
            self._last_check = now
            version = index_store.current_version(self.settings.index_dir)
            if self._wants_load(version, now):
                self._reload(version, now)
            elif self._loaded is not None and version == self._loaded.stored.version and self._index_failure:
                # The pointer went back to the version in memory: the failed one no longer matters.
                self.index_error, self._index_failure = None, None
        if self._loaded is None:
            failed = self._index_failure
            raise (failed[2] if failed else index_store.IndexMissingError)(self.index_error or "No index loaded.")
        return self._loaded

    def _wants_load(self, version: str | None, now: float) -> bool:
        """True when the pointer names an index not yet loaded nor failed moments ago."""
        if self._loaded is not None and (not version or version == self._loaded.stored.version):
            return False
        failed = self._index_failure
        return failed is None or failed[0] != version or now - failed[1] >= fallback.RETRY_SECONDS

    def _reload(self, version: str | None, now: float) -> None:
        with self._lock:
            if not self._wants_load(version, now):
                return  # another thread loaded (or failed) it while this one waited
            try:
                stored = index_store.load_index(self.settings.index_dir, MODEL_NAME, DIMENSION)
                bm25, rebuilt = load_bm25(stored)
                # One assignment: requests in flight keep the object they already hold.
                self._loaded = Loaded(stored, bm25, bm25_rebuilt=rebuilt, questions=questions.load(stored))
                self.index_error, self._index_failure = None, None
                self._prefer_onnx()
            except Exception as exc:  # noqa: BLE001 - any damage must become "degraded", never a 500 loop
                self.index_error = fallback.describe_index_error(self.settings.index_dir, exc)
                kind = type(exc) if isinstance(exc, index_store.IndexError_) else index_store.IndexCorruptError
                self._index_failure = (version, now, kind)
                if self._loaded is None:
                    raise kind(self.index_error) from exc

    def _prefer_onnx(self) -> None:
        """Drop a torch encoder chosen before the build exported ONNX, so the next query loads it."""
        from search_api.index import onnx as onnx_encoder

        chosen_by_us = self._encoder_factory is None and self.settings.encoder == "auto"
        if (
            chosen_by_us
            and type(self._encoder).__name__ == "TorchEncoder"
            and onnx_encoder.is_verified(onnx_encoder.ONNX_DIR)
        ):
            self._encoder = None

    def search_index(self) -> Loaded:
        """The index if it loads, else a words-only stand-in (raises IndexError_ when neither exists)."""
        try:
            return self.index()
        except index_store.IndexError_:
            return self.fallback.get()

    def fingerprint(self) -> str:
        """The current source fingerprint, cached a few seconds (it hashes every source file)."""
        now = time.monotonic()
        if self._fingerprint_cache is None or now - self._fingerprint_cache[0] > 5:
            self._fingerprint_cache = (now, source_fingerprint())
        return self._fingerprint_cache[1]


def choose_encoder(settings: Settings, notes: list[str] | None = None) -> Encoder:
    """ONNX when exported and verified against torch (about 3x faster), else torch."""
    from search_api.index.embedder import load_torch_encoder

    if settings.encoder in ("auto", "onnx"):
        from search_api.index import onnx as onnx_encoder

        folder = onnx_encoder.ONNX_DIR  # read at call time so tests can point it elsewhere
        if onnx_encoder.is_verified(folder):
            try:
                return onnx_encoder.OnnxEncoder(folder)
            except Exception as exc:  # noqa: BLE001 - a broken export must not stop the server
                # The full error goes to the log; health shows plain words only.
                log.warning("ONNX export unusable: %s: %s", type(exc).__name__, first_line(exc, 400))
                problem = (
                    f"The ONNX export could not be loaded (model.onnx is damaged or unreadable: {type(exc).__name__})."
                )
                if settings.encoder == "onnx":
                    raise ModelMissingError(f"{problem} Re-export it with `make index`.") from exc
                if notes is not None:
                    notes.append(f"{problem} Using the slower torch encoder; re-export it with `make index`.")
        elif settings.encoder == "onnx":
            raise ModelMissingError("SOP_ENCODER=onnx but no verified ONNX export exists: run `make index`.")
    return load_torch_encoder(settings.model_path)


EXTENSION = "sop"


def resources(app: Flask | None = None) -> Resources:
    """This app's Resources (the current app's when none is given): the one way to reach them."""
    from flask import current_app

    return (app or current_app).extensions[EXTENSION]
