"""Model missing or broken: ONNX falls back to torch, no model means words-only search, nothing downloads."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from search_api import create_app
from search_api.config import ROOT, Settings
from search_api.index import embedder
from search_api.index import onnx as onnx_encoder
from search_api.search import fallback
from tests.conftest import INDEX, SITE, require_built
from tests.support.fault_tools import assert_plain, forbid_network, use_fake_clock
from tests.support.openapi_contract import check_response

# Most of these load torch: they share one pytest-xdist worker (`--dist loadgroup` in the Makefile),
# which pays the import once.
pytestmark = pytest.mark.xdist_group("torch")


def app_without_model(settings: Settings, tmp_path, encoder: str = "torch"):
    """The real loading path (no test encoder) with SOP_MODEL_PATH at an empty folder."""
    empty = tmp_path / "no-model"
    empty.mkdir(exist_ok=True)
    settings.model_path, settings.encoder = str(empty), encoder
    return create_app({"TESTING": True, "SETTINGS": settings})


def test_missing_model_means_words_only_search(tmp_hub, tmp_path):
    client = app_without_model(tmp_hub, tmp_path).test_client()

    health = client.get("/api/health")
    assert health.status_code == 200
    check_response(health, "get", "/api/health")
    body = health.get_json()
    assert body["status"] == "degraded" and body["search"] == "words_only"
    model = body["components"]["model"]
    assert model["status"] == "unavailable" and model["encoder"] is None
    assert "SOP_MODEL_PATH" in model["message"] and "make setup" in model["message"]
    assert body["components"]["index"]["status"] == "ok"

    resp = client.get("/api/search", query_string={"q": "reoffending prisoners"})
    assert resp.status_code == 200
    check_response(resp, "get", "/api/search")
    found = resp.get_json()
    assert found["degraded"] is True and found["mode"] == "bm25"
    assert found["results"][0]["url"].startswith("/case-studies/peterborough/")
    # Asking for words-only explicitly is not degraded: it is what was asked for.
    assert "degraded" not in client.get("/api/search?q=reoffending&mode=bm25").get_json()

    ask = client.post("/api/ask", json={"question": "What happened to reoffending in Peterborough?"})
    assert ask.status_code == 200
    check_response(ask, "post", "/api/ask")
    assert ask.get_json()["route"] == "unavailable" and ask.get_json()["related"]
    assert client.post("/api/feasibility", json={"answers": {}}).status_code == 200
    assert client.get("/").status_code == 200


def test_a_failed_model_load_is_not_retried_on_every_request(tmp_hub, tmp_path, monkeypatch):
    clock = use_fake_clock(monkeypatch)
    calls = []
    real = embedder.load_torch_encoder

    def counting(override=None):
        calls.append(override)
        return real(override)

    monkeypatch.setattr(embedder, "load_torch_encoder", counting)
    client = app_without_model(tmp_hub, tmp_path).test_client()
    for _ in range(10):
        assert client.get("/api/search?q=bond").status_code == 200
        clock.now += 1.0
    assert len(calls) == 1
    clock.now += fallback.RETRY_SECONDS
    client.get("/api/search?q=bond")
    assert len(calls) == 2, "after the back-off the model load is tried again"


def test_forced_onnx_with_a_broken_export_degrades_instead_of_failing(tmp_hub, tmp_path, monkeypatch):
    broken = tmp_path / "onnx"
    broken.mkdir()
    (broken / "model.onnx").write_bytes(b"not a model" * 100)
    (broken / "verification.json").write_text('{"verified": true}')
    monkeypatch.setattr(onnx_encoder, "ONNX_DIR", broken)
    client = app_without_model(tmp_hub, tmp_path, encoder="onnx").test_client()
    body = client.get("/api/health").get_json()
    message = body["components"]["model"]["message"]
    assert body["components"]["model"]["status"] == "unavailable" and "ONNX export could not be loaded" in message
    assert_plain(message)
    assert client.get("/api/search?q=bond").get_json()["degraded"] is True


def test_offline_mode_is_forced_for_the_whole_process():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env["HF_HUB_OFFLINE"] = "0"  # even an explicit "0" from the shell must not allow downloads
    code = (
        "import os\nfrom search_api import create_app\ncreate_app()\n"
        "import huggingface_hub.constants as c\n"
        "print(os.environ['HF_HUB_OFFLINE'], os.environ['TRANSFORMERS_OFFLINE'], c.HF_HUB_OFFLINE)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "1", "True"]


# --- the real stack: real model files (damaged copies), real index, real site ---


@pytest.fixture(scope="module")
def model_dir():
    require_built()
    return embedder.resolve_model_path()


def real_settings(tmp_path) -> Settings:
    return Settings(site_dir=SITE, index_dir=INDEX, instance_dir=tmp_path / "instance")


def urls(client, query: str, **params) -> list[str]:
    resp = client.get("/api/search", query_string={"q": query, "k": 10, **params})
    assert resp.status_code == 200, resp.get_json()
    return [r["url"] for r in resp.get_json()["results"]]


def test_real_stack_without_model_ranks_as_bm25(model_dir, tmp_path):
    client = app_without_model(real_settings(tmp_path), tmp_path).test_client()
    query = "how are outcome payments set"
    degraded = client.get("/api/search", query_string={"q": query, "k": 10}).get_json()
    assert degraded["degraded"] is True
    assert [r["url"] for r in degraded["results"]] == urls(client, query, mode="bm25") != []
    assert client.get("/api/health").get_json()["components"]["index"]["status"] == "ok"


def test_damaged_model_weights_fail_cleanly_without_downloading(model_dir, tmp_path, monkeypatch):
    attempts = forbid_network(monkeypatch)
    damaged = tmp_path / "model"
    shutil.copytree(model_dir, damaged, ignore=shutil.ignore_patterns("model.safetensors"))
    (damaged / "model.safetensors").write_bytes(b"\x00" * 4096)
    settings = real_settings(tmp_path)
    settings.model_path, settings.encoder = str(damaged), "torch"
    client = create_app({"TESTING": True, "SETTINGS": settings}).test_client()
    model = client.get("/api/health").get_json()["components"]["model"]
    assert model["status"] == "unavailable" and "could not be loaded" in model["message"], model
    assert "Traceback" not in model["message"]
    assert client.get("/api/search?q=outcome+payments").get_json()["degraded"] is True
    assert attempts == [], "loading a broken model must never reach for the network"


def test_broken_onnx_export_falls_back_to_torch(model_dir, tmp_path, monkeypatch):
    require_built()
    if not onnx_encoder.is_verified():
        pytest.skip("no verified ONNX export: `make index` makes one")
    broken = tmp_path / "onnx"
    broken.mkdir()
    for name in ("tokenizer.json", "verification.json"):
        shutil.copy(onnx_encoder.ONNX_DIR / name, broken / name)
    data = (onnx_encoder.ONNX_DIR / "model.onnx").read_bytes()
    (broken / "model.onnx").write_bytes(data[: len(data) // 3])  # a truncated copy
    query = "who pays investors back in a social impact bond"
    healthy = create_app({"TESTING": True, "SETTINGS": real_settings(tmp_path)}).test_client()
    expected = urls(healthy, query)
    monkeypatch.setattr(onnx_encoder, "ONNX_DIR", broken)
    client = create_app({"TESTING": True, "SETTINGS": real_settings(tmp_path)}).test_client()
    body = client.get("/api/health").get_json()
    model = body["components"]["model"]
    assert model["status"] == "degraded" and model["encoder"] == "torch" and body["search"] == "hybrid"
    assert any(p["code"] == "onnx_unavailable" for p in body["problems"])
    got = client.get("/api/search", query_string={"q": query, "k": 10}).get_json()
    assert "degraded" not in got
    # The export was verified equal to torch, so torch ranks the same way.
    assert [r["url"] for r in got["results"]][:5] == expected[:5]
