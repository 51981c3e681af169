"""Validation of query-string and JSON inputs, raising ApiError with the field at fault."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from search_api.web import vocabulary
from search_api.web.errors import ApiError
from search_api.web.vocabulary import parse_int


def reject_unknown(params: Iterable[str], allowed: Iterable[str]) -> None:
    """400 naming every parameter the endpoint does not know."""
    err = vocabulary.unknown(params, allowed)
    if err is not None:
        raise ApiError.bad_input(err)


def reject_repeated(args: Any) -> None:
    """400 when a query parameter is given more than once (args is a werkzeug MultiDict)."""
    for name, values in args.lists():
        if len(values) > 1:
            raise ApiError.bad_input(vocabulary.repeated(name))


def text_param(params: Mapping[str, Any], name: str, max_len: int, required: bool = True) -> str | None:
    """A trimmed string of 1..max_len characters (the limit applies to the string as sent)."""
    value = params.get(name)
    if value is not None and not isinstance(value, str):
        raise ApiError.bad_input(vocabulary.not_a_string(name))
    if value is not None and len(value) > max_len:
        raise ApiError.bad_input(vocabulary.too_long(name, max_len))
    if value is None or not value.strip():
        if required:
            raise ApiError.bad_input(vocabulary.missing(name))
        return None
    return value.strip()


def int_param(params: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    """An integer within [low, high]; an empty value is refused like any other non-number."""
    raw = params.get(name)
    if raw is None:
        return default
    value = parse_int(raw)
    if value is None:
        raise ApiError.bad_input(vocabulary.not_whole_number(name, low, high))
    if not low <= value <= high:
        raise ApiError.bad_input(vocabulary.out_of_range(name, low, high))
    return value


def choice_param(params: Mapping[str, Any], name: str, allowed: list[str], blank: bool = True) -> str | None:
    """One of the allowed values (case-insensitive), returned in its canonical spelling.

    An empty value means "not given" when blank is True (free-text filters), else it is refused."""
    raw = params.get(name)
    if raw is None or (raw == "" and blank):
        return None
    for option in allowed:
        if str(raw).strip().lower() == option.lower():
            return option
    raise ApiError.bad_input(vocabulary.not_allowed(name, allowed))


def json_object(example: str = "{...}") -> dict[str, Any]:
    """The request body as a JSON object: 415 when not JSON, 400 malformed_json or invalid_body naming "body"."""
    from flask import request

    if not request.is_json:
        raise ApiError(
            415,
            "unsupported_media_type",
            "Send the body as JSON with the header Content-Type: application/json.",
            field="Content-Type",
            allowed=["application/json"],
        )
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        # json.loads gives up on very deep nesting with RecursionError, not ValueError.
        body = None
    if body is None:
        raise ApiError(400, "malformed_json", "The request body is not valid JSON.", field="body")
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", f"The body must be a JSON object such as {example}.", field="body")
    return body
