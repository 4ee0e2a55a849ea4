"""Gemini on Vertex AI through `ChatVertexAI` (langchain-google-vertexai, pinned below 4.0).

Only `backend.models.registry` imports this module, and only when Vertex AI is selected: importing the SDK
costs about 4.5 s. `ChatVertexAI` is deprecated in favour of langchain-google-genai's Vertex backend; its
deprecation warnings are silenced here so they neither spam the logs nor fail a strict test run. Credentials
are application default credentials, resolved on the first call, so constructing the model needs no network.
"""

from __future__ import annotations

import warnings
from typing import Any

from langchain_core.runnables import Runnable
from pydantic import ConfigDict, Field

from backend.core.config import Settings
from backend.models.base import GuardedChatModel, ModelRole
from backend.models.errors import ModelUnavailable
from backend.models.resilience import ModelGuard

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from langchain_google_vertexai import ChatVertexAI

PROVIDER = "vertex"


class VertexChatModel(GuardedChatModel, ChatVertexAI):  # type: ignore[misc]  # its _generate adds `stream`
    """`ChatVertexAI` with our resilience and accounting. Use through `get_chat_model(role)`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    guard: ModelGuard = Field(exclude=True)
    role: ModelRole = "main"

    def with_structured_output(  # type: ignore[override]
        self, schema: Any, *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable[Any, Any]:
        """Structured output with Gemini's response schema (constrained decoding, not a tool call)."""
        kwargs.setdefault("method", "json_mode")
        return super().with_structured_output(schema, include_raw=include_raw, **kwargs)


def vertex_host(settings: Settings) -> str | None:
    """VERTEX_API_ENDPOINT as the bare host the SDK expects (the setting may be a URL)."""
    if not settings.vertex_api_endpoint:
        return None
    return settings.vertex_api_endpoint.split("://", 1)[-1].rstrip("/")


def build_vertex_chat(role: ModelRole, settings: Settings) -> VertexChatModel:
    """The Vertex AI chat model of `role` from settings (no network until the first call)."""
    if not settings.vertex_project:
        raise ModelUnavailable(
            "CHAT_PROVIDER=vertex needs VERTEX_PROJECT", provider=PROVIDER, retryable=False
        )
    extra: dict[str, Any] = {}
    if host := vertex_host(settings):
        extra["api_endpoint"] = host
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return VertexChatModel(
            model=settings.vertex_fast_model if role == "fast" else settings.vertex_chat_model,
            project=settings.vertex_project,
            location=settings.vertex_location,
            max_retries=0,
            timeout=settings.model_timeout_seconds,
            guard=ModelGuard.from_settings(PROVIDER, f"{settings.vertex_project}/{settings.vertex_location}", settings),
            role=role,
            **extra,
        )


__all__ = ["VertexChatModel", "build_vertex_chat", "vertex_host"]
