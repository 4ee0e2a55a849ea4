"""The one place chat and embedding models are chosen: `get_chat_model(role)` and `get_embedder()`.

Callers (agents, retrieval, ingestion) ask for a role, never for a provider, and receive a LangChain chat
model or an `Embedder`; which provider is behind it is a setting (`CHAT_PROVIDER`, `EMBEDDING_PROVIDER`,
`auto` by default: Vertex AI when VERTEX_PROJECT is set, else an OpenAI-compatible server when
OPENAI_BASE_URL is set, else the embedded local models). Models are built once per process and
configuration and then shared: they hold pooled HTTP clients or a loaded GGUF model, which are expensive.
Provider modules are imported only when selected, so a process on fakes or local models never pays for
the Google SDK.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from backend.core.config import Settings, get_settings
from backend.models.base import ModelRole
from backend.models.embeddings import Embedder, FakeEmbedder
from backend.models.errors import ModelUnavailable
from backend.models.info import resolve_provider
from backend.models.resilience import ModelGuard

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from backend.models.embed_remote import VertexMultimodalEmbedder

ROLES: tuple[ModelRole, ...] = ("main", "fast")

# Settings that shape a provider's objects: a change to one of them yields a new object, not a stale one.
_CHAT_FIELDS = {
    "fake": ("model_timeout_seconds", "model_max_retries"),
    "openai_compatible": ("openai_base_url", "openai_api_key", "openai_chat_model", "openai_fast_model",
                          "model_timeout_seconds"),
    "vertex": ("vertex_project", "vertex_location", "vertex_chat_model", "vertex_fast_model", "vertex_api_endpoint",
               "model_timeout_seconds"),
    "local": ("local_main_model", "local_main_gguf", "local_main_gguf_sha256", "local_fast_gguf", "models_dir",
              "data_dir", "local_ctx_size", "local_parallel_slots", "local_threads", "local_prompt_cache_mib",
              "model_timeout_seconds"),
}
_EMBED_FIELDS = {
    "fake": (),
    "openai_compatible": ("openai_base_url", "openai_api_key", "openai_embedding_model",
                          "openai_embedding_dimensions", "openai_embedding_max_input_tokens", "model_timeout_seconds"),
    "vertex": ("vertex_project", "vertex_location", "vertex_embedding_model", "vertex_embedding_dimensions",
               "vertex_api_endpoint", "model_timeout_seconds"),
    "local": ("local_threads",),
}

_MULTIMODAL_FIELDS = ("vertex_project", "vertex_location", "vertex_multimodal_dimensions", "vertex_api_endpoint",
                      "model_timeout_seconds")

_chat_models: dict[tuple[Any, ...], BaseChatModel] = {}
_embedders: dict[tuple[Any, ...], Embedder] = {}
_multimodal: dict[tuple[Any, ...], VertexMultimodalEmbedder] = {}
_lock = threading.Lock()


def chat_provider(settings: Settings | None = None) -> str:
    """The chat provider in use (`auto` resolved)."""
    settings = settings or get_settings()
    return resolve_provider(settings.chat_provider, settings)


def embedding_provider(settings: Settings | None = None) -> str:
    """The embedding provider in use (`auto` resolved)."""
    settings = settings or get_settings()
    return resolve_provider(settings.embedding_provider, settings)


def _key(provider: str, fields: tuple[str, ...], settings: Settings, *extra: Any) -> tuple[Any, ...]:
    return (provider, *extra, *(str(getattr(settings, name)) for name in fields))


def get_chat_model(role: ModelRole = "main", settings: Settings | None = None) -> BaseChatModel:
    """The chat model of `role` (`main` writes, `fast` rewrites queries, routes and classifies).

    Every provider's model streams, binds tools and offers `with_structured_output`; every call through it
    has a timeout, retries, a circuit breaker, typed errors and usage accounting.
    """
    if role not in ROLES:
        raise ValueError(f"unknown model role {role!r}; expected one of {ROLES}")
    settings = settings or get_settings()
    provider = chat_provider(settings)
    builder = _CHAT_BUILDERS.get(provider)
    if builder is None:
        raise ModelUnavailable(f"unknown chat provider {provider!r}", provider=provider, retryable=False)
    key = _key(provider, _CHAT_FIELDS[provider], settings, role)
    with _lock:
        model = _chat_models.get(key)
        if model is None:
            model = builder(role, settings)
            _chat_models[key] = model
        return model


def get_embedder(settings: Settings | None = None) -> Embedder:
    """The embedding model in use. Store its `model_id` and `dimension` with every vector it makes."""
    settings = settings or get_settings()
    provider = embedding_provider(settings)
    builder = _EMBED_BUILDERS.get(provider)
    if builder is None:
        raise ModelUnavailable(f"unknown embedding provider {provider!r}", provider=provider, retryable=False)
    key = _key(provider, _EMBED_FIELDS[provider], settings)
    with _lock:
        embedder = _embedders.get(key)
        if embedder is None:
            embedder = builder(settings)
            _embedders[key] = embedder
        return embedder


def get_multimodal_embedder(settings: Settings | None = None) -> VertexMultimodalEmbedder | None:
    """The image-and-text embedder for visual search, or None: only Vertex AI offers one here.

    None whenever the embedding provider is not Vertex AI (the library then says visual search needs it).
    """
    settings = settings or get_settings()
    if embedding_provider(settings) != "vertex" or not settings.vertex_project:
        return None
    key = _key("vertex", _MULTIMODAL_FIELDS, settings)
    with _lock:
        embedder = _multimodal.get(key)
        if embedder is None:
            from backend.models.embed_remote import VertexMultimodalEmbedder

            embedder = VertexMultimodalEmbedder(
                project=settings.vertex_project,
                location=settings.vertex_location,
                dimension=settings.vertex_multimodal_dimensions,
                endpoint=settings.vertex_api_endpoint,
                guard=ModelGuard.from_settings("vertex", f"multimodal/{settings.vertex_location}", settings),
            )
            _multimodal[key] = embedder
        return embedder


def cached_models() -> tuple[list[BaseChatModel], list[Embedder]]:
    """The chat models and embedders built so far in this process."""
    with _lock:
        return list(_chat_models.values()), list(_embedders.values())


def reset_models() -> None:
    """Forget every built model (tests, or after a settings change); close them first with `close_models`."""
    with _lock:
        _chat_models.clear()
        _embedders.clear()
        _multimodal.clear()


# --- builders -------------------------------------------------------------------------------------


def _fake_chat(role: ModelRole, settings: Settings) -> BaseChatModel:
    from backend.models.chat_fake import FakeChatModel

    return FakeChatModel(
        role=role,
        guard=ModelGuard.from_settings("fake", f"chat-{role}", settings),
        stream_pause=settings.fake_chat_stream_pause_seconds,
    )


def _openai_chat(role: ModelRole, settings: Settings) -> BaseChatModel:
    from backend.models.chat_openai import build_openai_chat

    return build_openai_chat(role, settings)


def _vertex_chat(role: ModelRole, settings: Settings) -> BaseChatModel:
    from backend.models.chat_vertex import build_vertex_chat

    return build_vertex_chat(role, settings)


def _local_chat(role: ModelRole, settings: Settings) -> BaseChatModel:
    from backend.models.chat_local import LocalChatModel
    from backend.models.local_engine import get_engine
    from backend.models.local_files import fast_spec, main_spec

    spec = main_spec(settings) if role == "main" else fast_spec(settings)
    return LocalChatModel(
        model_name=spec.label,
        engine=get_engine(spec, settings),
        # A local generation that failed or timed out would fail the same way again on the same CPU:
        # no retries, only the breaker and the time limit.
        guard=ModelGuard.from_settings("local", spec.key, settings, retries=False),
        role=role,
    )


def _fake_embedder(settings: Settings) -> Embedder:
    return FakeEmbedder()


def _local_embedder(settings: Settings) -> Embedder:
    from backend.models.embed_local import LocalEmbedder

    return LocalEmbedder(threads=settings.local_threads)


def _openai_embedder(settings: Settings) -> Embedder:
    from backend.models.embed_remote import OpenAICompatibleEmbedder

    if not settings.openai_base_url and not settings.openai_api_key:
        raise ModelUnavailable(
            "EMBEDDING_PROVIDER=openai_compatible needs OPENAI_BASE_URL or OPENAI_API_KEY",
            provider="openai_compatible",
            retryable=False,
        )
    base_url = settings.openai_base_url or "https://api.openai.com/v1"
    return OpenAICompatibleEmbedder(
        base_url=base_url,
        model=settings.openai_embedding_model,
        api_key=settings.openai_api_key,
        dimensions=settings.openai_embedding_dimensions,
        max_input_tokens=settings.openai_embedding_max_input_tokens,
        guard=ModelGuard.from_settings("openai_compatible", f"{base_url}/embeddings", settings),
    )


def _vertex_embedder(settings: Settings) -> Embedder:
    from backend.models.embed_remote import VertexEmbedder

    if not settings.vertex_project:
        raise ModelUnavailable("EMBEDDING_PROVIDER=vertex needs VERTEX_PROJECT", provider="vertex", retryable=False)
    return VertexEmbedder(
        project=settings.vertex_project,
        location=settings.vertex_location,
        model=settings.vertex_embedding_model,
        dimension=settings.vertex_embedding_dimensions,
        endpoint=settings.vertex_api_endpoint,
        guard=ModelGuard.from_settings("vertex", f"embeddings/{settings.vertex_location}", settings),
    )


_CHAT_BUILDERS: dict[str, Callable[[ModelRole, Settings], BaseChatModel]] = {
    "fake": _fake_chat,
    "openai_compatible": _openai_chat,
    "vertex": _vertex_chat,
    "local": _local_chat,
}
_EMBED_BUILDERS: dict[str, Callable[[Settings], Embedder]] = {
    "fake": _fake_embedder,
    "openai_compatible": _openai_embedder,
    "vertex": _vertex_embedder,
    "local": _local_embedder,
}

__all__ = [
    "ROLES",
    "cached_models",
    "chat_provider",
    "embedding_provider",
    "get_chat_model",
    "get_embedder",
    "get_multimodal_embedder",
    "reset_models",
]
