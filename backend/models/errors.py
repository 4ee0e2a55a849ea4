"""Typed model errors: what an agent graph routes on and what the API shows a user.

Every provider failure leaves this package as one of these, whatever the SDK underneath raised, so callers
never catch `openai.RateLimitError` or `google.api_core` exceptions themselves. `retryable` says whether the
same request may succeed if sent again later (the transport has already retried it by then).
"""

from __future__ import annotations

from backend.core.errors import AppError


class ModelError(AppError):
    """Base of every model failure."""

    status_code, code = 503, "model_error"
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        retryable: bool | None = None,
        code: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, code=code, status_code=status_code)
        self.provider = provider
        if retryable is not None:
            self.retryable = retryable


class ModelUnavailable(ModelError):
    """The provider cannot be reached, failed on its side (5xx), or is not configured."""

    status_code, code = 503, "model_unavailable"
    retryable = True


class CircuitOpen(ModelUnavailable):
    """Recent calls to this provider kept failing; calls are refused until the breaker's cool-down ends."""

    code = "model_circuit_open"

    def __init__(self, message: str, *, provider: str | None = None, retry_after: float = 0.0) -> None:
        super().__init__(message, provider=provider)
        self.retry_after = retry_after


class ModelTimeout(ModelError):
    """The call did not finish within its time limit."""

    status_code, code = 504, "model_timeout"
    retryable = True


class ModelRateLimited(ModelError):
    """The provider refused the call for quota or rate reasons (HTTP 429)."""

    status_code, code = 429, "model_rate_limited"
    retryable = True

    def __init__(self, message: str, *, provider: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, provider=provider)
        self.retry_after = retry_after


class ModelRequestInvalid(ModelError):
    """The provider rejected the request itself (prompt too long, bad schema): sending it again cannot help."""

    status_code, code = 400, "model_request_invalid"
    retryable = False


class ModelOutputInvalid(ModelError):
    """The model answered, but not in the shape that was asked for (unparseable JSON, schema violation)."""

    status_code, code = 502, "model_output_invalid"
    retryable = False


class ModelIntegrityError(ModelError):
    """A local model file is missing, truncated or not the file it claims to be; it is never loaded."""

    status_code, code = 500, "model_integrity"
    retryable = False


class BudgetExceeded(ModelError):
    """The space has used its monthly token budget; new runs are refused until the month turns."""

    status_code, code = 429, "token_budget_exceeded"
    retryable = False

    def __init__(self, message: str, *, used: int, limit: int) -> None:
        super().__init__(message)
        self.used = used
        self.limit = limit


__all__ = [
    "BudgetExceeded",
    "CircuitOpen",
    "ModelError",
    "ModelIntegrityError",
    "ModelOutputInvalid",
    "ModelRateLimited",
    "ModelRequestInvalid",
    "ModelTimeout",
    "ModelUnavailable",
]
