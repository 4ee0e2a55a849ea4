"""Choosing providers: the `auto` rule, one cached model per role, lazy imports, clear configuration errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.models.chat_fake import FakeChatModel
from backend.models.chat_local import LocalChatModel
from backend.models.errors import ModelUnavailable
from backend.models.registry import chat_provider, embedding_provider, get_chat_model, get_embedder

from .model_helpers import model_settings

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ({}, "local"),
        ({"openai_base_url": "http://127.0.0.1:8001/v1"}, "openai_compatible"),
        ({"vertex_project": "acme-prod"}, "vertex"),
        ({"vertex_project": "acme-prod", "openai_base_url": "http://127.0.0.1:8001/v1"}, "vertex"),
    ],
)
def test_auto_prefers_vertex_then_an_openai_compatible_server_then_local(
    configured: dict[str, str], expected: str
) -> None:
    settings = model_settings(chat_provider="auto", embedding_provider="auto", **configured)
    assert chat_provider(settings) == expected
    assert embedding_provider(settings) == expected


def test_an_explicit_provider_wins_over_auto() -> None:
    settings = model_settings(chat_provider="local", embedding_provider="fake", vertex_project="acme-prod")
    assert chat_provider(settings) == "local" and embedding_provider(settings) == "fake"


def test_the_test_suite_runs_on_fakes_with_one_model_per_role() -> None:
    main, fast = get_chat_model("main"), get_chat_model("fast")
    assert isinstance(main, FakeChatModel) and isinstance(fast, FakeChatModel)
    assert main.role == "main" and fast.role == "fast"
    assert get_chat_model("main") is main and main is not fast
    embedder = get_embedder()
    assert (embedder.model_id, embedder.dimension) == ("fake:hashed-bow-384", 384)
    assert get_embedder() is embedder


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown model role"):
        get_chat_model("writer")  # type: ignore[arg-type]


def test_a_settings_change_yields_a_new_model() -> None:
    first = get_chat_model("main", model_settings(chat_provider="fake", model_timeout_seconds=5))
    second = get_chat_model("main", model_settings(chat_provider="fake", model_timeout_seconds=9))
    assert first is not second


def test_the_local_provider_is_built_without_loading_anything() -> None:
    settings = model_settings(chat_provider="local", local_main_model="smollm2-135m")
    main = get_chat_model("main", settings)
    assert isinstance(main, LocalChatModel)
    assert main.model_name == "SmolLM2-135M-Instruct Q4_1"
    # Both roles name the same file, so they share one engine (one copy of the weights in memory).
    fast = get_chat_model("fast", settings)
    assert isinstance(fast, LocalChatModel) and fast.engine is main.engine


def test_remote_providers_without_configuration_fail_clearly() -> None:
    with pytest.raises(ModelUnavailable, match="OPENAI_BASE_URL"):
        get_chat_model("main", model_settings(chat_provider="openai_compatible"))
    with pytest.raises(ModelUnavailable, match="VERTEX_PROJECT"):
        get_embedder(model_settings(embedding_provider="vertex"))


def test_heavy_sdks_are_imported_only_when_selected() -> None:
    # A fresh interpreter: this test process may already have imported them for other tests.
    script = (
        "import sys\n"
        "from backend.models.registry import get_chat_model, get_embedder\n"
        "import backend.models.sessions\n"
        "get_chat_model('main'); get_chat_model('fast'); get_embedder()\n"
        "heavy = [m for m in ('langchain_google_vertexai', 'vertexai', 'google.cloud.aiplatform', 'xllamacpp',"
        " 'onnxruntime', 'langchain_openai') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "CHAT_PROVIDER": "fake", "EMBEDDING_PROVIDER": "fake"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
