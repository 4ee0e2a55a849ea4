"""What /status shows: the active chat and embedding models, and an honest label for a small local model."""

from __future__ import annotations

from backend.models.info import describe_models

from .model_helpers import model_settings


def test_a_local_model_is_labelled_small_with_a_pointer_to_better_models() -> None:
    info = describe_models(model_settings(chat_provider="auto", embedding_provider="auto"))
    assert info["chat"] == "local: Qwen2.5-Coder-1.5B-Instruct Q4_K_M (small local model)"
    assert info["chat_models"]["fast"] == "SmolLM2-135M-Instruct Q4_1"
    assert info["embeddings"] == "local: all-MiniLM-L6-v2 int8 (384-d, local)"
    assert info["chat_is_small_local"] is True
    assert "Vertex AI" in info["note"] and "OpenAI-compatible" in info["note"] and "VERTEX_PROJECT" in info["note"]


def test_vertex_and_openai_compatible_models_are_named_without_the_note() -> None:
    vertex = describe_models(model_settings(chat_provider="auto", embedding_provider="auto",
                                            vertex_project="acme", vertex_embedding_dimensions=768))
    assert vertex["chat"] == "vertex: gemini-2.5-pro"
    assert vertex["embeddings"] == "vertex: gemini-embedding-001 (768-d)"
    assert vertex["note"] is None and vertex["chat_is_small_local"] is False

    served = describe_models(model_settings(chat_provider="auto", embedding_provider="auto",
                                            openai_base_url="http://127.0.0.1:8001/v1", openai_chat_model="qwen3-32b"))
    assert served["chat"] == "openai_compatible: qwen3-32b"
    assert served["chat_models"]["fast"] == "qwen3-32b"
    assert served["note"] is None
