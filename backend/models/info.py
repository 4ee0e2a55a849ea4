"""Which chat and embedding models are active, described for /status and /api/v1/health.

Cheap on purpose: it reads settings only (no model file is touched, no SDK imported), so the health
endpoint can call it on every request.
"""

from __future__ import annotations

from typing import Any

from backend.core.config import Settings

LOCAL_LABELS = {
    "qwen2.5-coder-1.5b": "Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
    "smollm2-135m": "SmolLM2-135M-Instruct Q4_1",
}
SMALL_LOCAL_NOTE = (
    "A small local model runs on this machine's CPU: fine for trying Obelisk, but its drafts are demo "
    "quality. For production-quality copy configure Vertex AI (VERTEX_PROJECT) or an OpenAI-compatible "
    "server (OPENAI_BASE_URL, OPENAI_CHAT_MODEL)."
)


def resolve_provider(choice: str, settings: Settings) -> str:
    """`auto` means Vertex AI when a project is configured, else an OpenAI-compatible server, else local."""
    if choice != "auto":
        return choice
    if settings.vertex_project:
        return "vertex"
    if settings.openai_base_url:
        return "openai_compatible"
    return "local"


def _local_label(custom: object, fallback: str) -> str:
    return getattr(custom, "name", None) or fallback


def chat_model_names(settings: Settings) -> dict[str, str]:
    """The model behind each chat role for the active provider."""
    provider = resolve_provider(settings.chat_provider, settings)
    if provider == "vertex":
        return {"main": settings.vertex_chat_model, "fast": settings.vertex_fast_model}
    if provider == "openai_compatible":
        return {"main": settings.openai_chat_model, "fast": settings.openai_fast_model or settings.openai_chat_model}
    if provider == "local":
        return {
            "main": _local_label(settings.local_main_gguf, LOCAL_LABELS[settings.local_main_model]),
            "fast": _local_label(settings.local_fast_gguf, LOCAL_LABELS["smollm2-135m"]),
        }
    return {"main": "fake-chat", "fast": "fake-chat"}


def embedding_model_name(settings: Settings) -> str:
    """The active embedding model with its dimension."""
    provider = resolve_provider(settings.embedding_provider, settings)
    if provider == "vertex":
        return f"{settings.vertex_embedding_model} ({settings.vertex_embedding_dimensions}-d)"
    if provider == "openai_compatible":
        dims = settings.openai_embedding_dimensions
        return f"{settings.openai_embedding_model}" + (f" ({dims}-d)" if dims else "")
    if provider == "local":
        return "all-MiniLM-L6-v2 int8 (384-d, local)"
    return "hashed-bow-384 (384-d, fake)"


def describe_models(settings: Settings) -> dict[str, Any]:
    """Active models for people: `chat` and `embeddings` lines, and a note when chat runs on a small local model."""
    chat = resolve_provider(settings.chat_provider, settings)
    embed = resolve_provider(settings.embedding_provider, settings)
    names = chat_model_names(settings)
    small_local = chat == "local"
    chat_line = f"{chat}: {names['main']}"
    if small_local:
        chat_line += " (small local model)"
    return {
        "chat": chat_line,
        "chat_provider": chat,
        "chat_models": names,
        "embeddings": f"{embed}: {embedding_model_name(settings)}",
        "embedding_provider": embed,
        "chat_is_small_local": small_local,
        "note": SMALL_LOCAL_NOTE if small_local else None,
    }


__all__ = ["chat_model_names", "describe_models", "embedding_model_name", "resolve_provider"]
