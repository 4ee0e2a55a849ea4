"""Chat through any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp server, LM Studio).

`ChatOpenAI` speaks the wire protocol; `GuardedChatModel` in front of it adds our timeout, retries, breaker,
typed errors and usage accounting. The SDK's own retries are switched off so a failing call is retried in one
place only, with jitter, and counted once by the breaker. The Chat Completions API is used even for model
names OpenAI would route to its Responses API, because compatible servers only implement the former.
"""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import Runnable
from langchain_openai import ChatOpenAI
from pydantic import ConfigDict, Field, SecretStr

from backend.core.config import Settings
from backend.models.base import GuardedChatModel, ModelRole
from backend.models.errors import ModelUnavailable
from backend.models.http import new_async_client, new_sync_client
from backend.models.resilience import ModelGuard

PROVIDER = "openai_compatible"
# Servers without authentication (vLLM, Ollama, llama.cpp) ignore the header; the SDK insists on a key.
_NO_KEY = "not-needed"


class OpenAICompatibleChatModel(GuardedChatModel, ChatOpenAI):
    """`ChatOpenAI` with our resilience and accounting. Use through `get_chat_model(role)`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    guard: ModelGuard = Field(exclude=True)
    role: ModelRole = "main"

    def with_structured_output(  # type: ignore[override]
        self, schema: Any = None, *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable[Any, Any]:
        """Structured output as a JSON-schema `response_format` (the server constrains the reply)."""
        kwargs.setdefault("method", "json_schema")
        return super().with_structured_output(schema, include_raw=include_raw, **kwargs)


def openai_model_name(role: ModelRole, settings: Settings) -> str:
    """The configured model of `role` (the fast role falls back to the main model)."""
    if role == "fast" and settings.openai_fast_model:
        return settings.openai_fast_model
    return settings.openai_chat_model


def build_openai_chat(role: ModelRole, settings: Settings) -> OpenAICompatibleChatModel:
    """The OpenAI-compatible chat model of `role` from settings (no network until the first call)."""
    if not settings.openai_base_url and not settings.openai_api_key:
        raise ModelUnavailable(
            "CHAT_PROVIDER=openai_compatible needs OPENAI_BASE_URL (a compatible server) or OPENAI_API_KEY "
            "(OpenAI itself)",
            provider=PROVIDER,
            retryable=False,
        )
    endpoint = settings.openai_base_url or "api.openai.com"
    timeout = settings.model_timeout_seconds
    return OpenAICompatibleChatModel(
        model=openai_model_name(role, settings),
        base_url=settings.openai_base_url,
        api_key=SecretStr(settings.openai_api_key or _NO_KEY),
        timeout=timeout,
        max_retries=0,
        stream_usage=True,
        use_responses_api=False,
        # Pooled clients kept open between calls, HTTP/2 with TLS servers when `h2` is installed.
        http_client=new_sync_client(timeout),
        http_async_client=new_async_client(timeout),
        guard=ModelGuard.from_settings(PROVIDER, endpoint, settings),
        role=role,
    )


__all__ = ["OpenAICompatibleChatModel", "build_openai_chat", "openai_model_name"]
