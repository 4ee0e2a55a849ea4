"""Fixture files built once per session, and settings overrides for the limits under test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from backend.core.config import Settings, get_settings

from . import fixtures as fx


@pytest.fixture
def settings_with() -> Callable[..., Settings]:
    """A copy of the test settings with some fields changed: `settings_with(max_pages=2)`."""

    def make(**changes: Any) -> Settings:
        return get_settings().model_copy(update=changes)

    return make


@pytest.fixture(scope="session")
def docx_bytes() -> bytes:
    return fx.build_docx()


@pytest.fixture(scope="session")
def pptx_bytes() -> bytes:
    return fx.build_pptx()


@pytest.fixture(scope="session")
def xlsx_bytes() -> bytes:
    return fx.build_xlsx()


@pytest.fixture(scope="session")
def pdf_bytes() -> bytes:
    return fx.build_pdf(min_pages=3)


@pytest.fixture(scope="session")
def files(docx_bytes: bytes, pptx_bytes: bytes, xlsx_bytes: bytes, pdf_bytes: bytes) -> dict[str, bytes]:
    """One good file per kind, keyed by the kind's value."""
    return {
        "pdf": pdf_bytes,
        "docx": docx_bytes,
        "pptx": pptx_bytes,
        "xlsx": xlsx_bytes,
        "csv": fx.build_csv(),
        "html": fx.build_html(),
        "markdown": fx.build_markdown(),
        "txt": fx.build_txt(),
    }
