"""Build the search index from the exported pages, re-embedding only changed chunks."""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from search_api.ask.sentences import sentence_texts
from search_api.index import questions
from search_api.index import store as index_store
from search_api.index.chunker import chunks_from_pages
from search_api.index.embedder import Encoder
from search_api.index.progress import Progress
from search_api.index.sources import read_pages, site_fingerprint
from search_api.index.vector_cache import VectorCache

EMBED_STEP = 1024  # texts per progress line and cache save


@dataclass
class BuildReport:
    """What a build did, for the command line and the benchmark."""

    version: str
    chunks: int
    embedded: int  # sections embedded anew
    reused: int  # sections whose vectors came from the cache
    seconds: float
    texts_embedded: int = 0  # every new text: sections, questions and sentences


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
    cache: VectorCache | None = None,
    sentences: bool = False,
) -> BuildReport:
    """Build a new index version; embed only texts the shared cache has never seen.

    With `sentences`, the chatbot's sentences are embedded in the same pass, so the server
    finds every vector it needs in the cache."""
    start = time.perf_counter()
    chunks = chunks_from_pages(read_pages(site_dir))
    from search_api.index.embedder import DIMENSION, MODEL_NAME

    cache = cache if cache is not None else VectorCache()
    old = _previous(index_dir, MODEL_NAME, DIMENSION)
    _seed(cache, old)
    chunk_texts = [embed_text(c) for c in chunks]
    asked = questions.section_questions(chunks)
    question_texts = [q for _, q in asked]
    sentence_list = sentence_texts(chunks) if sentences else []
    new_chunks = sum(1 for t in chunk_texts if t not in cache)
    todo = cache.missing(chunk_texts + question_texts + sentence_list)
    if todo:
        _embed(cache, encoder_factory(), todo, progress)
    vectors = cache.lookup(chunk_texts).reshape(len(chunks), DIMENSION)
    q_vectors = cache.lookup(question_texts).reshape(len(asked), DIMENSION)
    if sentences:  # only then is every text the index needs known, so the rest can go
        cache.retain(chunk_texts + question_texts + sentence_list)
    cache.save()

    def write_questions(folder: Path, _chunks: list[dict[str, Any]]) -> None:
        questions.write(folder, [i for i, _ in asked], question_texts, q_vectors)

    manifest_extra = {
        "model": MODEL_NAME,
        "dimension": DIMENSION,
        "source_fingerprint": site_fingerprint(site_dir),
        "content_hash": _content_hash(chunks),
        "build_key": build_key(site_dir),
        "libraries": _versions(),
    }
    writers = [*(extra_writers or []), write_questions]
    version = index_store.write_index(index_dir, chunks, vectors, manifest_extra, writers)
    return BuildReport(
        version, len(chunks), new_chunks, len(chunks) - new_chunks, time.perf_counter() - start, len(todo)
    )


def _seed(cache: VectorCache, old: index_store.StoredIndex | None) -> None:
    """Put the previous version's vectors in the cache: a lost cache file costs no re-embedding."""
    if old is None:
        return
    cache.put([embed_text(c) for c in old.chunks], old.vectors)
    known = questions.previous(old)
    cache.put(list(known), np.array(list(known.values()), dtype=np.float32))


def _embed(cache: VectorCache, encoder: Encoder, texts: list[str], progress: bool) -> None:
    """Embed texts (shortest first) in steps, saving as it goes so an interrupted build keeps its work."""
    # Progress counts characters: the texts come shortest first, so a count of texts runs ahead.
    bar = Progress(f"Embedding {len(texts):,} new texts", sum(map(len, texts))) if progress else None
    for start in range(0, len(texts), EMBED_STEP):
        part = texts[start : start + EMBED_STEP]
        cache.put(part, encoder.encode(part))
        cache.save(force=False)
        if bar is not None:
            bar.advance(sum(map(len, part)))


def _content_hash(chunks: list[dict[str, Any]]) -> str:
    from search_api.index.chunker import content_hash

    return content_hash(*(c["hash"] for c in chunks))


def build_key(site_dir: Path) -> str:
    """A hash of what a build reads: the pages export and the code that turns pages into vectors.

    Cheap to compute (no chunking), so `make run` can tell in a moment that nothing changed."""
    from search_api.config import ROOT
    from search_api.index.deps import import_closure
    from search_api.index.sources import pages_file

    h = hashlib.sha256(pages_file(site_dir).read_bytes())
    for path in sorted(import_closure(ROOT, [Path(__file__).resolve()])):
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:32]


def is_up_to_date(index_dir: Path, site_dir: Path) -> bool:
    """True when the current index was built from the pages the site now exports, by this code."""
    try:
        manifest = index_store.read_manifest(index_dir)
        return manifest.get("build_key") == build_key(site_dir)
    except (index_store.IndexError_, FileNotFoundError):
        return False
