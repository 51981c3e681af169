"""Bad input on every endpoint: one JSON error shape, the field named, no trace, no HTML echo."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from search_api.web.openapi import document
from tests.support.openapi_contract import check_response, documented_operations, resolve, schema_errors, template_for

DOC = document()
HOSTILE = "<script>alert(1)</script>"
# (method, path, a request the endpoint accepts). Every documented operation but the
# GET /api/feasibility stub (always 405) is here; a test checks none is forgotten.
ENDPOINTS = [
    ("GET", "/api/health", {}),
    ("GET", "/api/openapi.json", {}),
    ("GET", "/api/search?q=bond", {}),
    ("GET", "/api/search/filters", {}),
    ("GET", "/api/feasibility/questions", {}),
    ("GET", "/api/projects", {}),
    ("GET", "/api/projects/INDIGO-POJ-0153", {}),
    ("GET", "/api/projects.csv?country=GB", {}),
    ("GET", "/api/projects.json", {}),
    ("POST", "/api/ask", {"json": {"question": "What is a social impact bond?"}}),
    ("POST", "/api/feedback", {"json": {"rating": "up"}}),
    ("POST", "/api/feasibility", {"json": {"answers": {}}}),
]
JSON_ENDPOINTS = [e for e in ENDPOINTS if e[0] == "POST"]
OTHER_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _id(endpoint) -> str:
    return f"{endpoint[0]} {endpoint[1]}"


def _with_query(path: str, extra: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{extra}"


def error_of(resp, status: int) -> dict:
    """The error body, after checking status, JSON type, the one shape and no trace or raw HTML."""
    text = resp.get_data(as_text=True)
    assert resp.status_code == status, text[:300]
    assert resp.mimetype == "application/json"
    assert not schema_errors(DOC, {"$ref": "#/components/schemas/Error"}, resp.get_json()), text
    assert "Traceback" not in text and 'File "' not in text
    assert "<" not in text and ">" not in text, "input echoed unescaped"
    return resp.get_json()["error"]


def test_every_operation_is_covered():
    covered = {(m, p.split("?")[0]) for m, p, _ in ENDPOINTS}
    concrete = {(m, p.replace("{indigo_id}", "INDIGO-POJ-0153")) for m, p in documented_operations()}
    assert concrete - covered == {("GET", "/api/feasibility")}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
def test_a_valid_request_succeeds(client, endpoint):
    method, path, kwargs = endpoint
    resp = client.open(path, method=method, **kwargs)
    assert resp.status_code in (200, 201), resp.get_data(as_text=True)[:300]
    check_response(resp, method, path)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
def test_unknown_query_parameters_are_named(client, endpoint):
    method, path, kwargs = endpoint
    resp = client.open(_with_query(path, "colour=red&zzz=1"), method=method, **kwargs)
    err = error_of(resp, 400)
    assert err["code"] == "unknown_parameter" and err["field"] == "colour"
    assert "colour" in err["message"] and "zzz" in err["message"]
    check_response(resp, method, path)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
def test_hostile_parameter_names_are_never_echoed_as_html(client, endpoint):
    method, path, kwargs = endpoint
    resp = client.open(_with_query(path, urlencode({HOSTILE: HOSTILE})), method=method, **kwargs)
    err = error_of(resp, 400)
    assert err["field"] == HOSTILE  # still named exactly, only escaped in the JSON text
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS, ids=_id)
def test_unknown_body_fields_are_named(client, endpoint):
    method, path, kwargs = endpoint
    resp = client.open(path, method=method, json={**kwargs["json"], "colour": "red"})
    err = error_of(resp, 400)
    assert err["field"] == "colour" and "colour" in err["message"]
    check_response(resp, method, path)


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS, ids=_id)
@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_wrong_content_type_is_415(client, endpoint, content_type):
    method, path, kwargs = endpoint
    resp = client.open(path, method=method, data=json.dumps(kwargs["json"]), content_type=content_type)
    err = error_of(resp, 415)
    assert err["code"] == "unsupported_media_type" and "application/json" in err["message"]
    check_response(resp, method, path)


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS, ids=_id)
@pytest.mark.parametrize(
    "raw",
    [b"{not json", b'{"a": 1,}', b"", b"\xff\xfe\x00", b"[" * 60_000, b'{"a": ' * 10_000, b"null"],
    ids=["broken", "trailing-comma", "empty", "bad-utf8", "deep-list", "deep-object", "null"],
)
def test_malformed_json_is_400(client, endpoint, raw):
    method, path, _ = endpoint
    resp = client.open(path, method=method, data=raw, content_type="application/json")
    err = error_of(resp, 400)
    assert "JSON" in err["message"]
    check_response(resp, method, path)


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS, ids=_id)
@pytest.mark.parametrize("body", [[1, 2], "text", 42, True])
def test_a_body_that_is_not_an_object_is_400(client, endpoint, body):
    method, path, _ = endpoint
    resp = client.open(path, method=method, json=body)
    err = error_of(resp, 400)
    assert "object" in err["message"] or "JSON" in err["message"]


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS, ids=_id)
def test_body_over_64_kib_is_413(client, endpoint):
    method, path, kwargs = endpoint
    padded = {**kwargs["json"], "padding": "x" * (64 * 1024)}
    resp = client.open(path, method=method, data=json.dumps(padded), content_type="application/json")
    err = error_of(resp, 413)
    assert err["code"] == "payload_too_large"
    check_response(resp, method, path)


def test_body_just_under_the_limit_is_read(client):
    # A valid body padded with spaces to 64 KiB exactly is accepted: the limit is the size, not the shape.
    body = json.dumps({"answers": {}})
    resp = client.post("/api/feasibility", data=body + " " * (64 * 1024 - len(body)), content_type="application/json")
    assert resp.status_code == 200


def _limits() -> list[tuple[str, str, str, dict]]:
    """(method, path, field, request) for every documented maxLength, one character over."""
    cases = []
    for method, path, kwargs in ENDPOINTS:
        bare = path.split("?")[0]
        op = DOC["paths"][template_for(DOC, bare)][method.lower()]
        for param in (resolve(DOC, p) for p in op.get("parameters", [])):
            size = param["schema"].get("maxLength")
            if param["in"] == "query" and size:
                query = {"q": "bond"} if bare == "/api/search" else {}
                query[param["name"]] = "x" * (size + 1)
                cases.append((method, f"{bare}?{urlencode(query)}", param["name"], {}))
        if "requestBody" in op:
            schema = resolve(DOC, op["requestBody"]["content"]["application/json"]["schema"])
            for name, prop in schema["properties"].items():
                if prop.get("maxLength"):
                    body = {**kwargs["json"], name: "y" * (prop["maxLength"] + 1)}
                    cases.append((method, path, name, {"json": body}))
    return cases


@pytest.mark.parametrize("case", _limits(), ids=lambda c: f"{c[0]} {c[1].split('?')[0]} {c[2]}")
def test_every_documented_length_limit_is_enforced(client, case):
    method, path, field, kwargs = case
    resp = client.open(path, method=method, **kwargs)
    err = error_of(resp, 400)
    assert err["field"] == field, err
    check_response(resp, method, path)


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "field"),
    [
        ("GET", "/api/search?q=bond&k=51", {}, "k"),
        ("GET", "/api/search?q=bond&k=%2B5", {}, "k"),
        ("GET", "/api/search?q=bond&k=%D9%A5", {}, "k"),
        ("GET", "/api/search?q=bond&k=", {}, "k"),
        ("GET", "/api/search?q=bond&mode=", {}, "mode"),
        ("GET", "/api/search?q=bond&q=fund", {}, "q"),
        ("GET", "/api/search?q=" + "%20" * 501 + "bond", {}, "q"),
        ("GET", "/api/projects?page=%201", {}, "page"),
        ("GET", "/api/projects?per_page=101", {}, "per_page"),
        ("GET", "/api/projects?launch_year_from=", {}, "launch_year_from"),
        ("GET", "/api/projects?stage=", {}, "stage"),
        ("POST", "/api/ask", {"json": {"question": "hi", "history": [{"role": {}, "text": "x"}]}}, "history[0].role"),
        ("POST", "/api/ask", {"json": {"question": "hi", "history": [{"role": "user"}] * 7}}, "history"),
        ("POST", "/api/ask", {"json": {"question": "\u200b" * 501}}, "question"),
        ("POST", "/api/feedback", {"json": {"rating": ""}}, "rating"),
        ("POST", "/api/feedback", {"json": {"rating": "up", "answer_urls": False}}, "answer_urls"),
        ("POST", "/api/feedback", {"json": {"rating": "up", "answer_urls": ["/a"] * 9}}, "answer_urls"),
        ("POST", "/api/feedback", {"json": {"rating": "up", "page": "/guidance/\x00"}}, "page"),
        ("POST", "/api/feedback", {"json": {"rating": "up", "page": "//evil.example/"}}, "page"),
        ("POST", "/api/feedback", {"json": {"rating": "up", "page": "/" + "a" * 300}}, "page"),
        ("POST", "/api/feedback", {"json": {"rating": "up", "answer_urls": ["/" + "a" * 300]}}, "answer_urls[0]"),
        ("POST", "/api/feasibility", {"json": {"answers": {"cohort_size": 1e999}}}, "answers.cohort_size"),
    ],
)
def test_values_the_document_forbids_are_refused(client, method, path, kwargs, field):
    resp = client.open(path, method=method, **kwargs)
    assert error_of(resp, 400)["field"] == field
    check_response(resp, method, path)


def _documented_methods(path: str) -> set[str]:
    template = path.replace("INDIGO-POJ-0153", "{indigo_id}").split("?")[0]
    return {m for m, p in documented_operations() if p == template}


WRONG_METHODS = [
    (method, e[1].split("?")[0])
    for e in ENDPOINTS
    for method in OTHER_METHODS
    if method not in _documented_methods(e[1])
]


@pytest.mark.parametrize(("method", "path"), WRONG_METHODS)
def test_other_methods_are_405_with_allow(client, method, path):
    allowed = _documented_methods(path)
    resp = client.open(path, method=method)
    err = error_of(resp, 405)
    assert err["code"] == "method_not_allowed"
    listed = {m.strip() for m in resp.headers["Allow"].split(",")}
    assert allowed <= listed <= allowed | {"HEAD", "OPTIONS"} and method not in listed


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
def test_options_lists_only_the_api_methods(client, endpoint):
    path = endpoint[1].split("?")[0]
    resp = client.open(path, method="OPTIONS")
    listed = {m.strip() for m in resp.headers["Allow"].split(",")}
    assert listed - {"HEAD", "OPTIONS"} == _documented_methods(path)


def test_unknown_api_paths_are_json_404(client):
    for path in ("/api", "/api/", "/api/nope", "/api/search/nope", f"/api/{HOSTILE}"):
        err = error_of(client.get(path), 404)
        assert err["code"] == "not_found"


# The same guarantees on the real app (real model, index and site).
REAL = [
    ("GET", "/api/search?q=bond&colour=red", {}, 400),
    ("GET", "/api/health?x=1", {}, 400),
    ("GET", "/api/search?q=" + "x" * 501, {}, 400),
    ("POST", "/api/ask", {"json": {"question": "What is an SIB?", "colour": "red"}}, 400),
    ("POST", "/api/ask", {"data": "{not json", "content_type": "application/json"}, 400),
    ("POST", "/api/ask", {"data": "[" * 60_000, "content_type": "application/json"}, 400),
    ("POST", "/api/ask", {"data": "question=hi", "content_type": "text/plain"}, 415),
    ("POST", "/api/feedback", {"data": "x" * (65 * 1024), "content_type": "application/json"}, 413),
    ("GET", "/api/ask", {}, 405),
    ("DELETE", "/api/projects", {}, 405),
    ("GET", f"/api/projects?{HOSTILE}=1", {}, 400),
]


@pytest.mark.model
@pytest.mark.parametrize("case", REAL, ids=lambda c: f"{c[0]} {c[1][:40]} {c[3]}")
def test_bad_input_on_the_real_app(real_app, case):
    method, path, kwargs, status = case
    resp = real_app.test_client().open(path, method=method, **kwargs)
    error_of(resp, status)
    if status == 405:
        assert resp.headers["Allow"]
    else:
        check_response(resp, method, path)
