"""What an SDK raised, as a typed `ModelError`: the status codes and exception types of the OpenAI-compatible,
Google and HTTP clients mapped to rate limits, timeouts, unavailability, invalid requests and invalid output.
Anything unknown (a bug) stays untyped and is not retried.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from backend.models.errors import (
    ModelError,
    ModelOutputInvalid,
    ModelRateLimited,
    ModelRequestInvalid,
    ModelTimeout,
    ModelUnavailable,
)


def _retry_after(headers: Any) -> float | None:
    try:
        value = headers.get("retry-after") if headers is not None else None
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _from_status(status: int, message: str, provider: str, headers: Any = None) -> ModelError:
    if status == 429:
        return ModelRateLimited(f"{_label(provider)} is rate limiting requests: {message}", provider=provider,
                                retry_after=_retry_after(headers))
    if status in (408, 504):
        return ModelTimeout(f"{_label(provider)} timed out: {message}", provider=provider)
    if status >= 500:
        return ModelUnavailable(f"{_label(provider)} failed on its side ({status}): {message}", provider=provider)
    if status in (401, 403):
        return ModelUnavailable(
            f"{_label(provider)} refused the credentials ({status}); check the API key or service account: {message}",
            provider=provider,
            retryable=False,
        )
    if status == 404:
        return ModelUnavailable(
            f"{_label(provider)} does not know this model or endpoint: {message}", provider=provider, retryable=False
        )
    return ModelRequestInvalid(f"{_label(provider)} rejected the request ({status}): {message}", provider=provider)


_LABELS = {
    "local": "The local model",
    "vertex": "Vertex AI",
    "openai_compatible": "The OpenAI-compatible model server",
    "fake": "The fake model",
}


def _label(provider: str) -> str:
    """How a message names the provider ("local did not answer" reads as a typo to a marketer)."""
    return _LABELS.get(provider, provider)


def classify_exception(exc: BaseException, provider: str) -> ModelError | None:
    """The typed error for a provider failure, or None when `exc` is not a provider failure (a bug: re-raise it)."""
    if isinstance(exc, ModelError):
        return exc
    from langchain_core.exceptions import ContextOverflowError

    if isinstance(exc, ContextOverflowError):
        # Checked before the SDK types: langchain-openai raises it as an `openai.APIError`, which would
        # otherwise read as a retryable provider failure although the same prompt can never fit.
        return ModelRequestInvalid(f"{_label(provider)}: the prompt is longer than the model's context window: {exc}",
                                   provider=provider)
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return ModelTimeout(f"{_label(provider)} did not answer in time", provider=provider)
    if isinstance(exc, httpx.HTTPStatusError):
        return _from_status(exc.response.status_code, exc.response.text[:300], provider, exc.response.headers)
    if isinstance(exc, httpx.TransportError):
        return ModelUnavailable(f"{_label(provider)} is unreachable: {type(exc).__name__}", provider=provider)
    module = type(exc).__module__
    if module.startswith(("openai", "langchain_openai")):
        return _classify_openai(exc, provider)
    if module.startswith("google"):
        return _classify_google(exc, provider)
    if module.startswith(("langchain_core", "pydantic", "json")) and _is_output_error(exc):
        return ModelOutputInvalid(
            f"{_label(provider)} answered in the wrong shape: {str(exc)[:300]}", provider=provider
        )
    return None


def _is_output_error(exc: BaseException) -> bool:
    from langchain_core.exceptions import OutputParserException
    from pydantic import ValidationError

    return isinstance(exc, OutputParserException | ValidationError | json.JSONDecodeError)


def _classify_openai(exc: BaseException, provider: str) -> ModelError | None:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return ModelTimeout(f"{_label(provider)} did not answer in time", provider=provider)
    if isinstance(exc, openai.APIConnectionError):
        return ModelUnavailable(f"{_label(provider)} is unreachable: {exc}", provider=provider)
    if isinstance(exc, openai.APIStatusError):
        return _from_status(exc.status_code, getattr(exc, "message", str(exc))[:300], provider, exc.response.headers)
    if isinstance(exc, openai.LengthFinishReasonError):
        return ModelOutputInvalid(f"{_label(provider)} ran out of output tokens before finishing", provider=provider)
    if isinstance(exc, openai.APIError):
        return ModelUnavailable(f"{_label(provider)} failed: {exc}", provider=provider)
    return None


def _classify_google(exc: BaseException, provider: str) -> ModelError | None:
    name = type(exc).__name__
    if name in ("DefaultCredentialsError", "RefreshError", "TransportError"):
        return ModelUnavailable(
            f"{_label(provider)}: Google credentials are missing or invalid ({name}); set up application default "
            "credentials (GOOGLE_APPLICATION_CREDENTIALS or the metadata server)",
            provider=provider,
            retryable=name == "TransportError",
        )
    status = getattr(exc, "code", None)
    if isinstance(status, int):
        return _from_status(status, str(getattr(exc, "message", exc))[:300], provider)
    return None


__all__ = ["classify_exception"]
