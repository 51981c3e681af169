"""The search index as a versioned artifact folder: written atomically, checked on load."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

FORMAT_VERSION = 1
POINTER = "CURRENT"
KEEP_VERSIONS = 2
STALE_TMP_SECONDS = 3600


class IndexError_(RuntimeError):
    """Base for index problems the API reports instead of serving wrong results."""


class IndexMissingError(IndexError_):
    """No index has been built yet."""


class IndexCorruptError(IndexError_):
    """The index files are unreadable or inconsistent."""


class IndexMismatchError(IndexError_):
    """The index was built with another model or dimension than the one loaded."""


@dataclass
class StoredIndex:
    """An index loaded into memory."""

    version: str
    path: Path
    manifest: dict[str, Any]
    chunks: list[dict[str, Any]]
    faiss_index: Any
    vectors: np.ndarray


def current_version(index_dir: Path) -> str | None:
    """The version folder named by the CURRENT pointer, or None."""
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def write_index(
    index_dir: Path,
    chunks: list[dict[str, Any]],
    vectors: np.ndarray,
    manifest_extra: dict[str, Any],
    extra_writers: list[Any] | None = None,
) -> str:
    """Write a new version into a temporary folder, rename it, then flip CURRENT atomically."""
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC)
    version = f"v{stamp.strftime('%Y%m%dT%H%M%S%f')}"
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=index_dir))
    try:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        index = faiss.IndexFlatIP(vectors.shape[1] if len(vectors) else manifest_extra["dimension"])
        if len(vectors):
            index.add(vectors)
        faiss.write_index(index, str(tmp / "vectors.faiss"))
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(json.dumps(chunk, ensure_ascii=False) + "\n")
        for writer in extra_writers or []:
            writer(tmp, chunks)
        manifest = {
            "format_version": FORMAT_VERSION,
            "version": version,
            "built_at": stamp.isoformat(timespec="seconds"),
            "chunk_count": len(chunks),
            "page_count": len({c["page"] for c in chunks}),
            "chunk_hashes": {c["id"]: c["hash"] for c in chunks},
            **manifest_extra,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        # Every file on disk (BM25 is a sub-folder) before the version can become CURRENT.
        for f in tmp.rglob("*"):
            if f.is_file():
                _fsync(f)
        os.rename(tmp, index_dir / version)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    pointer_tmp = index_dir / f".{POINTER}.{os.getpid()}"
    pointer_tmp.write_text(version, encoding="utf-8")
    _fsync(pointer_tmp)
    os.replace(pointer_tmp, index_dir / POINTER)
    _fsync(index_dir)  # the rename and the new pointer survive a power cut
    _prune(index_dir, version)
    return version


def _fsync(path: Path) -> None:
    """Flush a file or a folder's entries to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune(index_dir: Path, keep: str) -> None:
    """Drop old versions, keeping a few so a reader mid-load never loses its folder.

    Loaded indexes live in memory, so a server still answering from an older version
    needs none of its files."""
    versions = sorted(p for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("v"))
    for old in versions[:-KEEP_VERSIONS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    # Left by a build that crashed; a fresh one may belong to a build still running.
    for stale in index_dir.glob(".tmp-*"):
        try:
            if time.time() - stale.stat().st_mtime > STALE_TMP_SECONDS:
                shutil.rmtree(stale, ignore_errors=True)
        except FileNotFoundError:
            pass


def read_manifest(index_dir: Path, version: str | None = None) -> dict[str, Any]:
    """The manifest of a version (the current one by default)."""
    version = version or current_version(index_dir)
    if version is None:
        raise IndexMissingError(
            f"No search index at {index_dir}. Build it with `make index` (or `sophub build-index`)."
        )
    path = index_dir / version / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexCorruptError(
            f"The index version {version} has no manifest.json. Rebuild with `make index`."
        ) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"{path} is not valid JSON. Rebuild with `make index`.") from exc
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise IndexCorruptError(f"{path} has an unknown format. Rebuild with `make index`.")
    return manifest


def load_index(index_dir: Path, model_name: str, dimension: int) -> StoredIndex:
    """Load and check the current index; refuse one built with another model or dimension."""
    version = current_version(index_dir)
    manifest = read_manifest(index_dir, version)
    assert version is not None
    if manifest.get("model") != model_name or manifest.get("dimension") != dimension:
        raise IndexMismatchError(
            f"The index was built with {manifest.get('model')} ({manifest.get('dimension')} dimensions) "
            f"but the server uses {model_name} ({dimension}). Rebuild with `make index`."
        )
    folder = index_dir / version
    try:
        faiss_index = faiss.read_index(str(folder / "vectors.faiss"))
        with open(folder / "chunks.jsonl", encoding="utf-8") as fh:
            chunks = [json.loads(line) for line in fh if line.strip()]
    except (RuntimeError, OSError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(
            f"The index files in {folder} are unreadable: {exc}. Rebuild with `make index`."
        ) from exc
    if faiss_index.ntotal != len(chunks) or len(chunks) != manifest.get("chunk_count"):
        raise IndexCorruptError(
            f"The index in {folder} is inconsistent (vectors and chunks differ). Rebuild with `make index`."
        )
    if faiss_index.d != dimension:
        raise IndexMismatchError(
            f"The vectors have {faiss_index.d} dimensions, expected {dimension}. Rebuild with `make index`."
        )
    vectors = (
        faiss_index.reconstruct_n(0, faiss_index.ntotal) if faiss_index.ntotal else np.zeros((0, dimension), np.float32)
    )
    return StoredIndex(version, folder, manifest, chunks, faiss_index, vectors)
