"""Build the search index from the exported pages, re-embedding only changed chunks."""

from __future__ import annotations

import importlib.metadata as md
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from search_api.index import questions
from search_api.index import store as index_store
from search_api.index.chunker import chunks_from_pages
from search_api.index.embedder import Encoder
from search_api.index.sources import read_pages, site_fingerprint


@dataclass
class BuildReport:
    """What a build did, for the command line and the benchmark."""

    version: str
    chunks: int
    embedded: int
    reused: int
    seconds: float


def _versions() -> dict[str, str]:
    libs = {}
    for name in ("sentence-transformers", "torch", "faiss-cpu", "bm25s"):
        try:
            libs[name] = md.version(name)
        except md.PackageNotFoundError:
            pass
    return libs


def _previous(index_dir: Path, model: str, dim: int) -> index_store.StoredIndex | None:
    """The current index, whose vectors a rebuild reuses (None if there is none or it is unusable)."""
    try:
        return index_store.load_index(index_dir, model, dim)
    except index_store.IndexError_:
        return None


def embed_text(chunk: dict[str, Any]) -> str:
    """The text embedded for a chunk: page title and section path give it context."""
    return f"{chunk['title']}. {chunk['section']}. {chunk['text']}"


def build(
    site_dir: Path,
    index_dir: Path,
    encoder_factory: Callable[[], Encoder],
    progress: bool = True,
    extra_writers: list[Any] | None = None,
) -> BuildReport:
    """Build a new index version; embed only chunks whose content hash is new."""
    start = time.perf_counter()
    chunks = chunks_from_pages(read_pages(site_dir))
    from search_api.index.embedder import DIMENSION, MODEL_NAME

    old = _previous(index_dir, MODEL_NAME, DIMENSION)
    previous = {} if old is None else {c["hash"]: old.vectors[i] for i, c in enumerate(old.chunks)}
    todo = [i for i, c in enumerate(chunks) if c["hash"] not in previous]
    vectors = np.zeros((len(chunks), DIMENSION), dtype=np.float32)
    for i, c in enumerate(chunks):
        if c["hash"] in previous:
            vectors[i] = previous[c["hash"]]
    encoder = None
    if todo:
        encoder = encoder_factory()
        fresh = encoder.encode([embed_text(chunks[i]) for i in todo], progress=progress)
        vectors[todo] = fresh
    asked = questions.section_questions(chunks)
    known = questions.previous(old)
    new_texts = sorted({q for _, q in asked if q not in known})
    if new_texts:
        encoder = encoder or encoder_factory()
        known.update(zip(new_texts, encoder.encode(new_texts, progress=progress), strict=True))
    q_vectors = np.array([known[q] for _, q in asked], dtype=np.float32).reshape(len(asked), DIMENSION)

    def write_questions(folder: Path, _chunks: list[dict[str, Any]]) -> None:
        questions.write(folder, [i for i, _ in asked], [q for _, q in asked], q_vectors)

    manifest_extra = {
        "model": MODEL_NAME,
        "dimension": DIMENSION,
        "source_fingerprint": site_fingerprint(site_dir),
        "content_hash": _content_hash(chunks),
        "libraries": _versions(),
    }
    writers = [*(extra_writers or []), write_questions]
    version = index_store.write_index(index_dir, chunks, vectors, manifest_extra, writers)
    return BuildReport(version, len(chunks), len(todo), len(chunks) - len(todo), time.perf_counter() - start)


def _content_hash(chunks: list[dict[str, Any]]) -> str:
    from search_api.index.chunker import content_hash

    return content_hash(*(c["hash"] for c in chunks))


def is_up_to_date(index_dir: Path, site_dir: Path) -> bool:
    """True when the current index was built from the pages the site now exports."""
    try:
        manifest = index_store.read_manifest(index_dir)
    except index_store.IndexError_:
        return False
    try:
        chunks = chunks_from_pages(read_pages(site_dir))
    except FileNotFoundError:
        return False
    same_sources = manifest.get("source_fingerprint") == site_fingerprint(site_dir)
    return same_sources and manifest.get("content_hash") == _content_hash(chunks)
