"""Database tier: spaces to put documents in, created as the application role (row-level security on)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from backend.core.db import Database
from backend.documents import ingest
from backend.documents.storage import LocalFileStorage, set_storage
from backend.models.accounting import counted
from backend.tenancy.context import SpaceContext


def space_context(org: uuid.UUID, space: uuid.UUID, role: str = "admin") -> SpaceContext:
    """A caller in `space` with `role` (a new user id each time)."""
    return SpaceContext(organization_id=org, space_id=space, user_id=uuid.uuid4(), role=role, space_name="General")


async def create_space(db: Database, organization_name: str) -> SpaceContext:
    """A new organization with one space, and its admin's context."""
    org, space = uuid.uuid4(), uuid.uuid4()
    async with db.session(organization_id=org) as session:
        await session.execute(
            text("INSERT INTO organizations (id, name) VALUES (:id, :n)"), {"id": org, "n": organization_name}
        )
        await session.execute(
            text("INSERT INTO spaces (id, organization_id, name) VALUES (:id, :org, 'General')"),
            {"id": space, "org": org},
        )
    return space_context(org, space)


@pytest.fixture
async def spaces(
    db: Database, memory_backends: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[SpaceContext, SpaceContext]]:
    """Two spaces of two organizations; files in a temp dir; no job queue (tests run ingestion inline).

    Usage rows are written by background tasks on their own connections in production; the rolled-back
    single-connection database of these tests cannot interleave them, so usage is only counted here.
    """
    set_storage(LocalFileStorage(tmp_path / "files"))

    async def no_queue(document: object) -> None:
        return None

    monkeypatch.setattr(ingest, "defer_ingestion", no_queue)
    monkeypatch.setattr(ingest, "metered", counted)
    yield await create_space(db, "alpha"), await create_space(db, "bravo")
    set_storage(None)
