"""`prepare-models` (run by `make run`): nothing heavy with remote models, verified files with local ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from backend.cli import cli
from backend.core.config import get_settings
from backend.models.setup import prepare_models

from .model_helpers import model_settings


def test_remote_providers_need_no_local_preparation(tmp_path: Path) -> None:
    lines: list[str] = []
    settings = model_settings(chat_provider="auto", embedding_provider="auto", vertex_project="acme",
                              models_dir=tmp_path / "models")
    prepare_models(settings, lines.append)
    assert lines == [
        "chat: vertex (gemini-2.5-pro), nothing to prepare locally",
        "embeddings: vertex, nothing to prepare locally",
    ]
    assert not (tmp_path / "models").exists()


def test_local_models_are_verified_and_the_user_is_told_what_they_are(tmp_path: Path) -> None:
    lines: list[str] = []
    settings = model_settings(chat_provider="local", embedding_provider="local", local_main_model="smollm2-135m",
                              models_dir=tmp_path / "models")
    prepare_models(settings, lines.append)
    assert lines[0].startswith("SmolLM2-135M-Instruct Q4_1 ready (98 MB")
    assert "small local models" in lines[1] and "VERTEX_PROJECT" in lines[1]
    assert lines[2].startswith("local embedding model ready")


def test_the_cli_command_reports_a_damaged_model_and_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    damaged = tmp_path / "custom.gguf"
    damaged.write_bytes(b"not a model")
    monkeypatch.setenv("CHAT_PROVIDER", "local")
    monkeypatch.setenv("LOCAL_MAIN_GGUF", str(damaged))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["prepare-models"])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "models are not ready" in result.output and "not a GGUF model file" in result.output
