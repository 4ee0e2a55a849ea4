"""Database tier: spaces to put documents in (signed-up tenants, `tests/support/tenants.py`), with row-level
security on: services run as the application role."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from backend.core.db import Database
from backend.documents import ingest
from backend.documents.storage import LocalFileStorage, set_storage
from backend.tenancy.context import SpaceContext
from tests.support.tenants import new_tenant


def space_context(org: uuid.UUID, space: uuid.UUID, role: str = "admin") -> SpaceContext:
    """Another caller in `space` with `role` (a made-up user id each time): for policy checks by role."""
    return SpaceContext(organization_id=org, space_id=space, user_id=uuid.uuid4(), role=role, space_name="General")


@pytest.fixture
async def spaces(
    db: Database, memory_backends: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[SpaceContext, SpaceContext]]:
    """Two spaces of two signed-up organizations (their owners' contexts); files in a temp dir; no job
    queue (tests run ingestion inline).
    """
    set_storage(LocalFileStorage(tmp_path / "files"))

    async def no_queue(document: object) -> None:
        return None

    monkeypatch.setattr(ingest, "defer_ingestion", no_queue)
    alpha, bravo = await new_tenant("alpha", "alpha"), await new_tenant("bravo", "bravo")
    yield await alpha.context(), await bravo.context()
    set_storage(None)
