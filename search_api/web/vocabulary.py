"""The one vocabulary of input errors: each code and message written once, usable without Flask.

web/params.py raises them as ApiError for the views; projects/query.py, which has no Flask,
raises them as they are and its view converts them. So an error reads the same everywhere."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# Plain ASCII digits only: int() would also take "+5", " 5", "5_0" and other scripts' digits.
_INT = re.compile(r"-?[0-9]{1,18}")


def parse_int(raw: Any) -> int | None:
    """An integer written in plain digits, else None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and _INT.fullmatch(raw):
        return int(raw)
    return None


class InputError(ValueError):
    """A value an endpoint cannot use: a stable code, a message, the field at fault, what is allowed."""

    def __init__(self, code: str, message: str, field: str | None, allowed: list[Any] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field, self.allowed = code, message, field, allowed


def unknown(params: Iterable[str], allowed: Iterable[str]) -> InputError | None:
    """The error naming every parameter the endpoint does not know, or None."""
    allowed = list(allowed)
    names = sorted(set(params) - set(allowed))
    if not names:
        return None
    return InputError("unknown_parameter", f"Unknown parameter(s): {', '.join(names)}.", names[0], allowed)


def repeated(name: str) -> InputError:
    """A query parameter given more than once."""
    return InputError("repeated_parameter", f"'{name}' may be given only once.", name)


def not_a_string(name: str) -> InputError:
    """A value that should be text."""
    return InputError("invalid_type", f"'{name}' must be a string.", name)


def too_long(name: str, max_len: int) -> InputError:
    """Text over its limit (counted as sent)."""
    return InputError("too_long", f"'{name}' must be at most {max_len} characters.", name)


def missing(name: str) -> InputError:
    """A required value that is absent or blank."""
    return InputError("missing_parameter", f"'{name}' is required and must not be empty.", name)


def not_whole_number(name: str, low: int, high: int) -> InputError:
    """A value that should be an integer in plain digits."""
    return InputError("invalid_type", f"'{name}' must be a whole number from {low} to {high}.", name)


def out_of_range(name: str, low: int, high: int, why: str = "") -> InputError:
    """A number outside its range (why: " for these filters" and the like)."""
    return InputError("out_of_range", f"'{name}' must be from {low} to {high}{why}.", name)


def not_allowed(name: str, allowed: list[Any], hint: str = "") -> InputError:
    """A value not among the allowed ones (hint: a sentence on how to write one)."""
    return InputError("invalid_value", f"'{name}' must be one of the allowed values.{hint}", name, allowed)
