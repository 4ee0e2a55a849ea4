"""Which chat and embedding models are active, described for /status and /api/v1/health."""

from __future__ import annotations

from typing import Any

from backend.core.config import Settings


def resolve_provider(choice: str, settings: Settings) -> str:
    """`auto` means Vertex AI when a project is configured, else an OpenAI-compatible server, else local."""
    if choice != "auto":
        return choice
    if settings.vertex_project:
        return "vertex"
    if settings.openai_base_url:
        return "openai_compatible"
    return "local"


def describe_models(settings: Settings) -> dict[str, Any]:
    chat = resolve_provider(settings.chat_provider, settings)
    embed = resolve_provider(settings.embedding_provider, settings)
    chat_model = {
        "vertex": settings.vertex_chat_model,
        "openai_compatible": settings.openai_chat_model,
        "local": settings.local_main_model,
        "fake": "fake",
    }[chat]
    embed_model = {
        "vertex": f"{settings.vertex_embedding_model} ({settings.vertex_embedding_dimensions}-d)",
        "openai_compatible": settings.openai_embedding_model,
        "local": "all-MiniLM-L6-v2 int8 (384-d)",
        "fake": "fake (384-d)",
    }[embed]
    small_local = chat in ("local", "fake")
    return {
        "chat": f"{chat}:{chat_model}",
        "embeddings": f"{embed}:{embed_model}",
        "chat_is_small_local": small_local,
        "note": (
            "A small local model writes demo-quality drafts. Configure Vertex AI (VERTEX_PROJECT) or an "
            "OpenAI-compatible server (OPENAI_BASE_URL) for production-quality copy."
            if small_local
            else None
        ),
    }
