"""One JSON error shape for every /api/ failure."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from search_api.web.vocabulary import InputError


class SafeJSONProvider(DefaultJSONProvider):
    """JSON with <, > and & written as \\u escapes: a value echoed back can never read as HTML."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        # These characters only occur inside JSON strings, where the escapes mean the same text.
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class ApiError(Exception):
    """An error a client can act on: a status, a stable code, a message, the field at fault."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        allowed: list[Any] | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.allowed = allowed
        self.details = details

    @classmethod
    def bad_input(cls, err: InputError) -> ApiError:
        """A 400 from the shared vocabulary of input errors."""
        return cls(400, err.code, err.message, field=err.field, allowed=err.allowed)

    def to_dict(self) -> dict[str, Any]:
        """The body sent to the client."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        if self.allowed is not None:
            body["allowed"] = self.allowed
        if self.details:
            body["details"] = self.details
        return {"error": body}


def error_response(err: ApiError):
    """A Flask response for an ApiError."""
    return jsonify(err.to_dict()), err.status


_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def register(app: Flask) -> None:
    """Send every /api/ error in the one JSON shape, never HTML or a stack trace."""
    app.json = SafeJSONProvider(app)

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        return error_response(err)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if not (request.path == "/api" or request.path.startswith("/api/")):
            return err
        code = _HTTP_CODES.get(err.code or 500, "error")
        methods = list(getattr(err, "valid_methods", None) or []) if err.code == 405 else []
        # The default descriptions are plain text; never echo the request back.
        resp = error_response(ApiError(err.code or 500, code, err.description or code, allowed=methods or None))
        if methods:
            resp[0].headers["Allow"] = ", ".join(methods)
        return resp

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        return error_response(ApiError(500, "internal_error", "Something went wrong on our side."))
