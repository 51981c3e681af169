import json

import numpy as np
import pytest

from search_api.index import store as index_store
from search_api.index.embedder import DIMENSION, MODEL_NAME
from sitebuild import indexer
from tests.conftest import SAMPLE_PAGES, FakeEncoder, write_site


def test_build_writes_versioned_artifact_with_manifest(tmp_hub):
    version = index_store.current_version(tmp_hub.index_dir)
    folder = tmp_hub.index_dir / version
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["model"] == MODEL_NAME and manifest["dimension"] == DIMENSION
    assert manifest["chunk_count"] == len(manifest["chunk_hashes"]) > 0
    assert {"built_at", "libraries", "content_hash", "source_fingerprint"} <= manifest.keys()
    assert (folder / "chunks.jsonl").is_file() and (folder / "vectors.faiss").is_file()


def test_rebuild_reembeds_only_changed_chunks(tmp_path):
    site, index_dir = tmp_path / "site", tmp_path / "index"
    write_site(site, SAMPLE_PAGES)
    first = indexer.build(site, index_dir, FakeEncoder, progress=False)
    assert first.embedded == first.chunks
    pages = json.loads(json.dumps(SAMPLE_PAGES))
    pages[0]["markdown"] = pages[0]["markdown"].replace("up front", "at the start")
    write_site(site, pages)
    second = indexer.build(site, index_dir, FakeEncoder, progress=False)
    assert second.embedded == 1 and second.reused == second.chunks - 1
    assert indexer.is_up_to_date(index_dir, site)


def test_an_edited_page_export_or_missing_export_makes_the_index_stale(tmp_path):
    site, index_dir = tmp_path / "site", tmp_path / "index"
    write_site(site, SAMPLE_PAGES)
    indexer.build(site, index_dir, FakeEncoder, progress=False)
    assert indexer.is_up_to_date(index_dir, site)
    pages = json.loads(json.dumps(SAMPLE_PAGES))
    pages[1]["title"] += " (edited)"
    write_site(site, pages)
    assert not indexer.is_up_to_date(index_dir, site)
    indexer.build(site, index_dir, FakeEncoder, progress=False)
    assert indexer.is_up_to_date(index_dir, site)
    # The key also covers the code that turns pages into vectors: the chunker, the questions
    # and the chatbot's sentences are followed through the indexer's imports.
    from pathlib import Path

    from search_api.config import ROOT
    from search_api.index.deps import import_closure

    closure = import_closure(ROOT, [Path(indexer.__file__).resolve()])
    for part in ("search_api/index/chunker.py", "search_api/index/questions.py", "search_api/ask/sentences.py"):
        assert ROOT / part in closure
    (site / "_hub" / "pages.jsonl").unlink()
    assert not indexer.is_up_to_date(index_dir, site)


def test_crash_mid_write_leaves_previous_index_intact(tmp_hub):
    before = index_store.current_version(tmp_hub.index_dir)

    def explode(folder, chunks):
        (folder / "partial.bin").write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        indexer.build(tmp_hub.site_dir, tmp_hub.index_dir, FakeEncoder, progress=False, extra_writers=[explode])
    assert index_store.current_version(tmp_hub.index_dir) == before
    assert not list(tmp_hub.index_dir.glob(".tmp-*"))
    assert index_store.load_index(tmp_hub.index_dir, MODEL_NAME, DIMENSION).version == before


def test_missing_index_is_reported(tmp_path):
    with pytest.raises(index_store.IndexMissingError, match="make index"):
        index_store.load_index(tmp_path / "nothing", MODEL_NAME, DIMENSION)


def test_corrupt_manifest_is_refused(tmp_hub):
    version = index_store.current_version(tmp_hub.index_dir)
    (tmp_hub.index_dir / version / "manifest.json").write_text("{not json")
    with pytest.raises(index_store.IndexCorruptError, match="not valid JSON"):
        index_store.load_index(tmp_hub.index_dir, MODEL_NAME, DIMENSION)


def test_inconsistent_vectors_are_refused(tmp_hub):
    version = index_store.current_version(tmp_hub.index_dir)
    path = tmp_hub.index_dir / version / "chunks.jsonl"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    with pytest.raises(index_store.IndexCorruptError, match="inconsistent"):
        index_store.load_index(tmp_hub.index_dir, MODEL_NAME, DIMENSION)


@pytest.mark.parametrize("model,dim", [("other/model", DIMENSION), (MODEL_NAME, 768)])
def test_index_from_another_model_or_dimension_is_refused(tmp_hub, model, dim):
    with pytest.raises(index_store.IndexMismatchError, match="Rebuild"):
        index_store.load_index(tmp_hub.index_dir, model, dim)


def test_index_with_other_dimension_on_disk_is_refused(tmp_path):
    chunks = [{"id": "a", "hash": "h", "page": "/", "url": "/", "title": "t", "section": "s", "text": "x"}]
    index_store.write_index(tmp_path, chunks, np.ones((1, 768), np.float32), {"model": MODEL_NAME, "dimension": 768})
    with pytest.raises(index_store.IndexMismatchError):
        index_store.load_index(tmp_path, MODEL_NAME, DIMENSION)
