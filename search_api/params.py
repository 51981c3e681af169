"""Validation of query-string and JSON inputs, raising ApiError with the field at fault."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .errors import ApiError


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


def text_param(params: Mapping[str, Any], name: str, max_len: int, required: bool = True) -> str | None:
    """A trimmed string of 1..max_len characters."""
    value = params.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ApiError(400, "missing_parameter", f"'{name}' is required and must not be empty.", field=name)
        return None
    if not isinstance(value, str):
        raise ApiError(400, "invalid_type", f"'{name}' must be a string.", field=name)
    value = value.strip()
    if len(value) > max_len:
        raise ApiError(400, "too_long", f"'{name}' must be at most {max_len} characters.", field=name)
    return value


def int_param(params: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    """An integer within [low, high]."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ApiError(
            400, "invalid_type", f"'{name}' must be a whole number from {low} to {high}.", field=name
        ) from None
    if not low <= value <= high:
        raise ApiError(400, "out_of_range", f"'{name}' must be from {low} to {high}.", field=name)
    return value


def choice_param(params: Mapping[str, Any], name: str, allowed: list[str]) -> str | None:
    """One of the allowed values (case-insensitive), returned in its canonical spelling."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    for option in allowed:
        if str(raw).strip().lower() == option.lower():
            return option
    raise ApiError(400, "invalid_value", f"'{name}' must be one of the allowed values.", field=name, allowed=allowed)
