"""One error hierarchy: each class carries its HTTP status; hub.middleware renders it."""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    """Base of every error that becomes an HTTP response."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, field: str | None = None, headers: dict[str, str] | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers = headers or {}
        self.details = details or {}

    def body(self) -> dict[str, Any]:
        """The JSON error envelope (pinned by tests/hub/test_errors.py)."""
        error: dict[str, Any] = {"status": self.status, "code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        if self.details:
            error["details"] = self.details
        return {"error": error}


class BadRequest(HubError):
    status = 400
    code = "bad_request"


class Unauthorized(HubError):
    status = 401
    code = "unauthorized"


class Forbidden(HubError):
    status = 403
    code = "forbidden"


class NotFound(HubError):
    status = 404
    code = "not_found"


class MethodNotAllowed(HubError):
    status = 405
    code = "method_not_allowed"


class Conflict(HubError):
    status = 409
    code = "conflict"


class PreconditionFailed(HubError):
    status = 412
    code = "precondition_failed"


class PayloadTooLarge(HubError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(HubError):
    status = 415
    code = "unsupported_media_type"


class TooManyRequests(HubError):
    status = 429
    code = "too_many_requests"


class ServiceUnavailable(HubError):
    status = 503
    code = "service_unavailable"


class QueryTimeout(HubError):
    status = 503
    code = "query_timeout"
