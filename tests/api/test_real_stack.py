"""Integration: the real model, the real FAISS index and the real built site."""

import re
from html.parser import HTMLParser

import numpy as np
import pytest

from search_api.index import store as index_store
from search_api.index.embedder import DIMENSION, MODEL_NAME, ModelMissingError, load_torch_encoder
from tests.conftest import INDEX, SITE, require_built

pytestmark = pytest.mark.model
# Tests that load torch share one pytest-xdist worker (`--dist loadgroup` in the Makefile): importing
# torch and sentence-transformers costs each worker several seconds, so one worker pays it once.
TORCH = pytest.mark.xdist_group("torch")


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k == "id" and v:
                self.ids.add(v)


def _html_for(url: str):
    path = SITE / url.lstrip("/").split("#")[0]
    if path.is_dir() or url.split("#")[0].endswith("/"):
        path = path / "index.html"
    return path


def test_every_chunk_url_points_to_an_anchor_in_the_built_html():
    require_built()
    stored = index_store.load_index(INDEX, MODEL_NAME, DIMENSION)
    assert len(stored.chunks) > 0
    cache = {}
    missing = []
    for chunk in stored.chunks:
        page, _, anchor = chunk["url"].partition("#")
        html = _html_for(page)
        assert html.is_file(), f"{chunk['url']} has no built page {html}"
        if html not in cache:
            parser = _Ids()
            parser.feed(html.read_text(encoding="utf-8"))
            cache[html] = parser.ids
        if anchor and anchor not in cache[html]:
            missing.append(chunk["url"])
    assert not missing, f"anchors not in the built HTML: {missing[:10]}"


@TORCH
def test_real_model_embeds_meaningfully():
    enc = load_torch_encoder()
    vecs = enc.encode(["social impact bond", "outcomes-based contract funded by investors", "chocolate cake recipe"])
    assert vecs.shape == (3, DIMENSION)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]


def test_missing_model_gives_one_clear_message(tmp_path):
    with pytest.raises(ModelMissingError) as err:
        load_torch_encoder(str(tmp_path))
    assert "SOP_MODEL_PATH" in str(err.value) and "make setup" in str(err.value)


def test_health_on_real_stack(real_app):
    body = real_app.test_client().get("/api/health").get_json()
    assert body["status"] == "ok", body
    assert body["index"]["stale"] is False, "the index does not match docs/: rebuild with make index"


def test_built_site_is_served_by_the_real_app(real_app):
    resp = real_app.test_client().get("/")
    assert resp.status_code == 200
    assert re.search(rb"Social Outcomes Partnerships hub", resp.data)
