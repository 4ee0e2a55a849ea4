"""The database foundation: pgvector, the application role, transaction-local tenant settings."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.core.db import Database, TenantScope


async def test_pgvector_and_trigram_are_installed(db: Database) -> None:
    async with db.session() as session:
        versions = dict(
            (await session.execute(text("SELECT extname, extversion FROM pg_extension"))).tuples().all()
        )
    assert "pg_trgm" in versions
    major, minor = (int(p) for p in versions["vector"].split(".")[:2])
    assert (major, minor) >= (0, 8)


async def test_app_role_owns_nothing_and_cannot_bypass_rls(db: Database) -> None:
    async with db.session() as session:
        row = (
            await session.execute(
                text(
                    "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
                )
            )
        ).one()
        owned = (
            await session.execute(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
            )
        ).scalar()
    assert row.current_user == "obelisk_app"
    assert row.rolsuper is False and row.rolbypassrls is False
    assert owned == 0


async def test_tenant_session_sets_transaction_local_scope(app_engine: AsyncEngine) -> None:
    database = Database(app_engine)
    scope = TenantScope(organization_id=uuid.uuid4(), space_id=uuid.uuid4())
    async with database.tenant(scope) as session:
        seen = (await session.execute(text("SELECT current_setting('app.space_id', true)"))).scalar()
    assert seen == str(scope.space_id)
    async with database.session() as session:
        after = (await session.execute(text("SELECT current_setting('app.space_id', true)"))).scalar()
    assert after in ("", None), "the scope must not leak into the next transaction on a pooled connection"


async def test_tenant_session_refuses_a_missing_scope(db: Database) -> None:
    import pytest

    with pytest.raises(RuntimeError):
        db.tenant(None)  # type: ignore[arg-type]


async def test_statement_timeout_is_applied(db: Database) -> None:
    async with db.session() as session:
        timeout = (await session.execute(text("SHOW statement_timeout"))).scalar()
    assert timeout == "30s"
