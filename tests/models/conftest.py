"""The real-models tier: Qwen2.5-Coder-1.5B (1.1 GB), assembled from its packaged parts for this session.

Every test here is marked `slow_model`. They run whenever the 22 parts are installed (requirements-nodeps.txt)
and are skipped with a reason otherwise. The model is assembled once per session into the session's temporary
directory (about 5 s, hashed on the way) and deleted afterwards; the project's own models directory is never
touched.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.core.config import Settings
from backend.models.errors import ModelUnavailable
from backend.models.local_files import LocalModelSpec, main_spec, qwen_part_paths
from backend.models.setup import prepare_models


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow_model)


@dataclass(frozen=True)
class PreparedQwen:
    settings: Settings
    spec: LocalModelSpec
    progress: list[str]
    seconds: float


@pytest.fixture(scope="session")
def qwen(tmp_root: Path) -> Iterator[PreparedQwen]:
    """Qwen2.5-Coder-1.5B assembled and verified by `prepare_models`, as `make run` does it."""
    try:
        qwen_part_paths()
    except ModelUnavailable as exc:
        # Installed with the project (requirements-nodeps.txt): in CI a missing part is a broken install.
        if os.environ.get("CI"):
            pytest.fail(f"Qwen2.5-Coder-1.5B parts are required in CI (make install): {exc.message}")
        pytest.skip(f"Qwen2.5-Coder-1.5B parts are not installed: {exc.message}")
    models_dir = tmp_root / "qwen-models"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        chat_provider="local",
        embedding_provider="local",
        local_main_model="qwen2.5-coder-1.5b",
        models_dir=models_dir,
    )
    progress: list[str] = []
    started = time.perf_counter()
    prepare_models(settings, progress.append)
    yield PreparedQwen(settings, main_spec(settings), progress, time.perf_counter() - started)
    shutil.rmtree(models_dir, ignore_errors=True)
