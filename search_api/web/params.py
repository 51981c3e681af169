"""Validation of query-string and JSON inputs, raising ApiError with the field at fault."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from search_api.web.errors import ApiError

# Plain ASCII digits only: int() would also take "+5", " 5", "5_0" and other scripts' digits.
_INT = re.compile(r"-?[0-9]{1,18}")


def reject_unknown(params: Iterable[str], allowed: Iterable[str]) -> None:
    """400 naming every parameter the endpoint does not know."""
    allowed = list(allowed)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ApiError(
            400,
            "unknown_parameter",
            f"Unknown parameter(s): {', '.join(unknown)}.",
            field=unknown[0],
            allowed=allowed,
        )


def reject_repeated(args: Any) -> None:
    """400 when a query parameter is given more than once (args is a werkzeug MultiDict)."""
    for name, values in args.lists():
        if len(values) > 1:
            raise ApiError(400, "repeated_parameter", f"'{name}' may be given only once.", field=name)


def text_param(params: Mapping[str, Any], name: str, max_len: int, required: bool = True) -> str | None:
    """A trimmed string of 1..max_len characters (the limit applies to the string as sent)."""
    value = params.get(name)
    if value is not None and not isinstance(value, str):
        raise ApiError(400, "invalid_type", f"'{name}' must be a string.", field=name)
    if value is not None and len(value) > max_len:
        raise ApiError(400, "too_long", f"'{name}' must be at most {max_len} characters.", field=name)
    if value is None or not value.strip():
        if required:
            raise ApiError(400, "missing_parameter", f"'{name}' is required and must not be empty.", field=name)
        return None
    return value.strip()


def parse_int(raw: Any) -> int | None:
    """An integer written in plain digits, else None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and _INT.fullmatch(raw):
        return int(raw)
    return None


def int_param(params: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    """An integer within [low, high]; an empty value is refused like any other non-number."""
    raw = params.get(name)
    if raw is None:
        return default
    value = parse_int(raw)
    if value is None:
        raise ApiError(400, "invalid_type", f"'{name}' must be a whole number from {low} to {high}.", field=name)
    if not low <= value <= high:
        raise ApiError(400, "out_of_range", f"'{name}' must be from {low} to {high}.", field=name)
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
    raise ApiError(400, "invalid_value", f"'{name}' must be one of the allowed values.", field=name, allowed=allowed)


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
