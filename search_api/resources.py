"""Per-process state: the encoder and the index, loaded lazily once and swapped atomically."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import index_store
from .config import Settings
from .embedder import DIMENSION, MODEL_NAME, Encoder, ModelMissingError, pin_threads
from .sources import source_fingerprint

# How often a request may look at the CURRENT pointer for a newer index.
RELOAD_CHECK_SECONDS = 1.0


@dataclass
class Loaded:
    """An index and whatever retrieval structures were built from it."""

    stored: index_store.StoredIndex
    extras: dict[str, Any]


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
        # Later features add builders that derive structures (e.g. BM25) from an index.
        from .lexical import load_bm25

        self.extra_loaders: list[Callable[[index_store.StoredIndex], dict[str, Any]]] = [load_bm25]
        pin_threads()

    @property
    def uses_disk_model(self) -> bool:
        """True unless a test supplied its own encoder."""
        return self._encoder_factory is None

    def encoder(self) -> Encoder:
        """The query encoder, loaded on first use."""
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    try:
                        factory = self._encoder_factory or _default_encoder_factory(self.settings)
                        self._encoder = factory()
                        self.model_error = None
                    except ModelMissingError as exc:
                        self.model_error = str(exc)
                        raise
        return self._encoder

    def index(self) -> Loaded:
        """The current index; reloads when a newer version appears on disk."""
        now = time.monotonic()
        if self._loaded is None or now - self._last_check > RELOAD_CHECK_SECONDS:
            self._last_check = now
            version = index_store.current_version(self.settings.index_dir)
            if self._loaded is None or (version and version != self._loaded.stored.version):
                self._reload()
        if self._loaded is None:
            raise index_store.IndexMissingError(self.index_error or "No index loaded.")
        return self._loaded

    def _reload(self) -> None:
        with self._lock:
            try:
                stored = index_store.load_index(self.settings.index_dir, MODEL_NAME, DIMENSION)
                extras: dict[str, Any] = {}
                for loader in self.extra_loaders:
                    extras.update(loader(stored))
                # One assignment: requests in flight keep the object they already hold.
                self._loaded = Loaded(stored, extras)
                self.index_error = None
            except index_store.IndexError_ as exc:
                self.index_error = str(exc)
                if self._loaded is None:
                    raise

    def fingerprint(self) -> str:
        """The current source fingerprint, cached a few seconds (it hashes every source file)."""
        now = time.monotonic()
        if self._fingerprint_cache is None or now - self._fingerprint_cache[0] > 5:
            self._fingerprint_cache = (now, source_fingerprint())
        return self._fingerprint_cache[1]


def _default_encoder_factory(settings: Settings) -> Callable[[], Encoder]:
    return lambda: choose_encoder(settings)


def choose_encoder(settings: Settings) -> Encoder:
    """ONNX when exported and verified against torch (about 3x faster), else torch."""
    from .embedder import load_torch_encoder

    if settings.encoder in ("auto", "onnx"):
        from . import onnx_encoder

        if onnx_encoder.is_verified():
            try:
                return onnx_encoder.OnnxEncoder()
            except Exception:  # noqa: BLE001 - a broken export must not stop the server
                if settings.encoder == "onnx":
                    raise
        elif settings.encoder == "onnx":
            raise ModelMissingError("SOP_ENCODER=onnx but no verified ONNX export exists: run `make index`.")
    return load_torch_encoder(settings.model_path)
