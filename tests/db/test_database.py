"""The database foundation: pgvector, the application role, transaction-local tenant settings."""

from __future__ import annotations

import uuid
from typing import Any

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


async def test_pool_pings_only_a_connection_that_sat_idle(app_db_url: str, owner_engine: AsyncEngine) -> None:
    """A connection reused at once is not pinged (a round trip per transaction saved); one that sat idle past
    DB_POOL_PING_IDLE_SECONDS is, and when its server process is gone the pool hands out a new one instead."""
    from sqlalchemy import event

    from backend.core.config import get_settings
    from backend.core.db import create_engine

    settings = get_settings().model_copy(update={"db_pool_pre_ping": True, "db_pool_ping_idle_seconds": 30.0})
    engine = create_engine(app_db_url, settings, pool_size=1, max_overflow=0)
    pings: list[str] = []
    original_ping = engine.dialect.do_ping

    def counting_ping(dbapi_connection: object) -> bool:
        pings.append("ping")
        return original_ping(dbapi_connection)

    engine.dialect.do_ping = counting_ping  # type: ignore[method-assign]
    returned: list[Any] = []
    event.listen(engine.sync_engine.pool, "checkin", lambda _dbapi, record: returned.append(record))
    try:
        async with engine.connect() as conn:
            first_pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one() == first_pid
        assert pings == []  # reused within the idle time: no ping

        async with owner_engine.begin() as owner:
            await owner.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
        returned[-1].info["idle_since"] -= 60  # as if it had sat idle for a minute
        async with engine.connect() as conn:
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert pings == ["ping"]
        assert pid != first_pid  # the dead connection was replaced, the caller never saw it
    finally:
        await engine.dispose()
