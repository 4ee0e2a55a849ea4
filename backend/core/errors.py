"""Typed errors a user can cause; the API turns them into the JSON error envelope."""

from __future__ import annotations


class AppError(Exception):
    """Base of every error with a user-facing message and an HTTP status."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code

    def to_dict(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


class BadRequest(AppError):
    status_code, code = 400, "bad_request"


class Unauthorized(AppError):
    status_code, code = 401, "unauthorized"


class Forbidden(AppError):
    status_code, code = 403, "forbidden"


class NotFound(AppError):
    status_code, code = 404, "not_found"


class Conflict(AppError):
    status_code, code = 409, "conflict"


class PayloadTooLarge(AppError):
    status_code, code = 413, "payload_too_large"


class UnsupportedMediaType(AppError):
    status_code, code = 415, "unsupported_media_type"


class ValidationFailed(AppError):
    status_code, code = 422, "validation_failed"


class RateLimited(AppError):
    status_code, code = 429, "rate_limited"

    def __init__(self, message: str, *, retry_after: int = 60, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class ServiceUnavailable(AppError):
    status_code, code = 503, "service_unavailable"
