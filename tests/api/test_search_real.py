"""Search on the real stack: real model, real FAISS and BM25, real built site."""

import json
import shutil
import threading

import numpy as np
import pytest

from search_api import create_app
from search_api.config import Settings
from search_api.index import onnx as onnx_encoder
from search_api.index.embedder import load_torch_encoder
from search_api.index.extras import WRITERS
from sitebuild import indexer
from tests.conftest import INDEX, SITE, require_built

pytestmark = pytest.mark.model
# Tests that load torch share one pytest-xdist worker (`--dist loadgroup` in the Makefile): importing
# torch and sentence-transformers costs each worker several seconds, so one worker pays it once.
TORCH = pytest.mark.xdist_group("torch")


def _urls(client, q, **kw):
    body = client.get("/api/search", query_string={"q": q, **kw}).get_json()
    return [r["url"] for r in body["results"]]


def test_paraphrased_question_finds_the_page(real_app):
    client = real_app.test_client()
    urls = _urls(client, "did the Peterborough prison scheme cut reoffending", k=5)
    assert any("peterborough" in u for u in urls), urls


def test_abbreviation_query_finds_full_term_pages(real_app):
    urls = _urls(real_app.test_client(), "what does SIB stand for", k=10)
    assert any(u.startswith(("/guidance/names-around-the-world/", "/glossary/")) for u in urls), urls


def test_every_result_url_is_in_the_index(real_app):
    known = {c["url"] for c in real_app.extensions["sop"].index().stored.chunks}
    for q in ("rough sleeping", "outcome payer", "rate card prices"):
        assert set(_urls(real_app.test_client(), q)) <= known


@pytest.mark.skipif(not onnx_encoder.is_verified(), reason="no verified ONNX export (make index creates it)")
@TORCH
def test_onnx_vectors_match_torch():
    texts = ["what if the provider misses targets?", "Social impact bonds in the UK", "x"]
    torch_vecs = load_torch_encoder().encode(texts)
    onnx_vecs = onnx_encoder.OnnxEncoder().encode(texts)
    assert np.min(np.sum(torch_vecs * onnx_vecs, axis=1)) >= onnx_encoder.MIN_COSINE


def test_served_encoder_is_onnx_when_verified(real_app):
    enc = real_app.extensions["sop"].encoder()
    expected = "OnnxEncoder" if onnx_encoder.is_verified() else "TorchEncoder"
    assert type(enc).__name__ == expected


@TORCH
def test_rebuild_swaps_index_without_failing_a_search(tmp_path):
    require_built()
    site, index_dir = tmp_path / "site", tmp_path / "index"
    (site / "_hub").mkdir(parents=True)
    shutil.copytree(INDEX, index_dir)
    pages = [json.loads(line) for line in (SITE / "_hub" / "pages.jsonl").read_text().splitlines()]
    pages[0]["markdown"] += "\n\n## A new section\n\nA freshly written paragraph about outcome payments.\n"
    with open(site / "_hub" / "pages.jsonl", "w") as fh:
        fh.writelines(json.dumps(p) + "\n" for p in pages)
    shutil.copy(SITE / "_hub" / "fingerprint", site / "_hub" / "fingerprint")
    app = create_app(
        {"TESTING": True, "RATELIMIT_ENABLED": False, "SETTINGS": Settings(site_dir=site, index_dir=index_dir)}
    )
    client = app.test_client()
    before = client.get("/api/health").get_json()["index"]["version"]
    statuses, done = [], threading.Event()

    def hammer():
        while not done.is_set():
            statuses.append(client.get("/api/search?q=outcome+payments").status_code)

    worker = threading.Thread(target=hammer)
    worker.start()
    try:
        report = indexer.build(site, index_dir, load_torch_encoder, progress=False, extra_writers=WRITERS)
    finally:
        import time

        time.sleep(1.5)  # let the reload check see the new pointer while searches continue
        done.set()
        worker.join()
    assert report.embedded >= 1 and report.reused > 0
    assert statuses and set(statuses) == {200}, set(statuses)
    after = client.get("/api/health").get_json()["index"]["version"]
    assert after != before
    assert "/#a-new-section" in " ".join(_urls(client, "freshly written paragraph outcome payments", k=20)) or any(
        u.endswith("#a-new-section") for u in _urls(client, "freshly written paragraph", k=20)
    )
