import shutil

from search_api import create_app
from tests.conftest import FakeEncoder


def test_health_ok_with_index(client):
    body = client.get("/api/health").get_json()
    assert body["status"] == "ok", body
    assert body["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert body["index"]["chunk_count"] > 0 and body["index"]["content_hash"]
    assert isinstance(body["index"]["stale"], bool)


def test_health_degraded_without_index(tmp_hub):
    shutil.rmtree(tmp_hub.index_dir)
    app = create_app({"TESTING": True, "SETTINGS": tmp_hub, "ENCODER_FACTORY": FakeEncoder})
    resp = app.test_client().get("/api/health")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "degraded"
    assert body["problems"][0]["code"] == "index_unavailable"
    assert "make index" in body["problems"][0]["message"]


def test_health_degraded_with_missing_model(tmp_hub, tmp_path, monkeypatch):
    tmp_hub.model_path = str(tmp_path / "no-model")
    app = create_app({"TESTING": True, "SETTINGS": tmp_hub})
    body = app.test_client().get("/api/health").get_json()
    assert body["status"] == "degraded"
    assert any(p["code"] == "model_missing" and "SOP_MODEL_PATH" in p["message"] for p in body["problems"])


def test_unknown_api_path_gives_json_404(client):
    resp = client.get("/api/nope")
    assert resp.status_code == 404
    assert resp.get_json() == {"error": {"code": "not_found", "message": resp.get_json()["error"]["message"]}}


def test_wrong_method_gives_json_405(client):
    resp = client.post("/api/health")
    assert resp.status_code == 405
    assert resp.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in resp.headers["Allow"]


def test_unexpected_error_gives_json_500_without_trace(app):
    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    resp = app.test_client().get("/api/boom")
    assert resp.status_code == 500
    body = resp.get_json()
    assert body["error"]["code"] == "internal_error"
    assert "secret" not in resp.get_data(as_text=True)


def test_site_is_served_at_root(client):
    resp = client.get("/")
    assert resp.status_code == 200 and b"Hub" in resp.data


def test_path_traversal_is_refused(client):
    assert client.get("/../../etc/passwd").status_code == 404


def test_existing_api_path_with_wrong_method_gives_405_not_404(app):
    @app.post("/api/only-post")
    def only_post():
        return {"ok": True}

    resp = app.test_client().get("/api/only-post")
    assert resp.status_code == 405
    assert resp.get_json()["error"]["code"] == "method_not_allowed"
    # OPTIONS is answered too; the site's GET catch-all must not be listed.
    assert set(resp.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


def test_security_headers_on_site_and_api(client):
    for path in ("/", "/api/health", "/api/nope"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
