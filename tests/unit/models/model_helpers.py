"""Helpers shared by the model-layer tests."""

from __future__ import annotations

from typing import Any

from backend.core.config import Settings


def model_settings(**overrides: Any) -> Settings:
    """Settings for one test: no .env file, fast retries, a short breaker cool-down."""
    values: dict[str, Any] = {
        "model_timeout_seconds": 5.0,
        "model_max_retries": 2,
        "model_retry_base_seconds": 0.01,
        "model_retry_max_seconds": 0.05,
        "circuit_breaker_failures": 3,
        "circuit_breaker_reset_seconds": 30.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
