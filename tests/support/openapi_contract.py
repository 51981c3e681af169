"""Check a real Flask response against search_api/web/openapi.yaml (status, content type, headers, body)."""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator

from search_api.web.openapi import document

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local $ref (one level is all this document uses outside schemas)."""
    while "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def schema_errors(doc: dict[str, Any], schema: dict[str, Any], body: Any) -> list[str]:
    """Every way body breaks schema, under JSON Schema 2020-12 with the document's components."""
    # Refs are "#/components/...": putting the components at the root lets them resolve.
    root = {**schema, "components": doc["components"]}
    validator = Draft202012Validator(root)
    return [f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}" for e in validator.iter_errors(body)]


def template_for(doc: dict[str, Any], path: str) -> str:
    """The documented path template a concrete path matches ("/api/projects/{indigo_id}")."""
    for template in doc["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            return template
    raise AssertionError(f"{path} is not in the OpenAPI document")


def check_response(resp: Any, method: str, path: str, doc: dict[str, Any] | None = None) -> None:
    """Fail unless the response's status, content type, required headers and body are documented."""
    doc = doc or document()
    template = template_for(doc, path.split("?")[0])
    operation = doc["paths"][template].get(method.lower())
    assert operation is not None, f"{method} {template} is not documented"
    status = str(resp.status_code)
    assert status in operation["responses"], f"{method} {path}: status {status} is not documented: {resp.data[:300]!r}"
    spec = resolve(doc, operation["responses"][status])
    for name, header in spec.get("headers", {}).items():
        if resolve(doc, header).get("required"):
            assert resp.headers.get(name), f"{method} {path}: {status} lacks the {name} header"
    content = spec.get("content", {})
    assert resp.mimetype in content, f"{method} {path}: {resp.mimetype} is not documented for {status}"
    # A download such as text/csv is checked as the text it is; everything else is JSON.
    body = resp.get_json() if resp.is_json else resp.get_data(as_text=True)
    errors = schema_errors(doc, content[resp.mimetype]["schema"], body)
    assert not errors, f"{method} {path} -> {status} breaks the schema:\n" + "\n".join(errors[:10])


def documented_operations(doc: dict[str, Any] | None = None) -> set[tuple[str, str]]:
    """(METHOD, path template) of every documented operation."""
    doc = doc or document()
    return {(m.upper(), p) for p, item in doc["paths"].items() for m in item if m in _HTTP_METHODS}
