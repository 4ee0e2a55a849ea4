"""Row-level security, the second wall: with the application's own filters bypassed (raw SQL with no WHERE),
the application role still sees and writes only the current organization's (or space's) rows."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.auth.keys import set_keyring
from backend.core.db import Database
from backend.tenancy import accounts

ORG_TABLES = ("organizations", "users", "organization_memberships", "spaces", "space_memberships", "invitations")


@pytest.fixture
async def two_orgs(db: Database, memory_backends: None) -> tuple[accounts.SignIn, accounts.SignIn]:
    set_keyring(None)
    a = await accounts.sign_up(
        email="a@example.com", password="password-a1", name="A", organization_name="Alpha"
    )
    b = await accounts.sign_up(
        email="b@example.com", password="password-b1", name="B", organization_name="Bravo"
    )
    set_keyring(None)
    return a, b


async def test_unfiltered_queries_see_only_the_current_organization(db: Database, two_orgs: tuple) -> None:
    a, b = two_orgs
    async with db.session(organization_id=a.organization_id) as session:
        assert (await session.execute(text("SELECT current_user"))).scalar() == "obelisk_app"
        for table in ORG_TABLES:
            org_column = "id" if table == "organizations" else "organization_id"
            orgs = set((await session.execute(text(f"SELECT DISTINCT {org_column} FROM {table}"))).scalars())
            assert orgs <= {a.organization_id}, f"{table} leaked another organization's rows"
        names = (await session.execute(text("SELECT name FROM organizations"))).scalars().all()
        assert names == ["Alpha"]
        emails = (await session.execute(text("SELECT email FROM users"))).scalars().all()
        assert emails == ["a@example.com"]
        audit_orgs = set((await session.execute(text("SELECT organization_id FROM audit_log"))).scalars())
        assert b.organization_id not in audit_orgs


async def test_no_scope_means_no_rows(db: Database, two_orgs: tuple) -> None:
    async with db.session() as session:
        for table in ORG_TABLES:
            assert (await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar() == 0, table


async def test_writes_into_another_organization_are_refused(db: Database, two_orgs: tuple) -> None:
    a, b = two_orgs
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.session(organization_id=a.organization_id) as session:
            await session.execute(
                text("INSERT INTO spaces (id, organization_id, name) VALUES (:id, :org, 'planted')"),
                {"id": uuid.uuid4(), "org": b.organization_id},
            )
    async with db.session(organization_id=a.organization_id) as session:
        updated = await session.execute(
            text("UPDATE spaces SET name = 'renamed' WHERE organization_id = :org"), {"org": b.organization_id}
        )
        assert updated.rowcount == 0
        deleted = await session.execute(
            text("DELETE FROM users WHERE organization_id = :org"), {"org": b.organization_id}
        )
        assert deleted.rowcount == 0
    async with db.session(organization_id=b.organization_id) as session:
        assert (await session.execute(text("SELECT name FROM spaces"))).scalars().all() == ["General"]


async def test_every_tenant_table_has_forced_rls_and_the_app_role_cannot_bypass_it(owner_engine: AsyncEngine) -> None:
    async with owner_engine.connect() as conn:
        tables = (
            (
                await conn.execute(
                    text(
                        "SELECT DISTINCT c.table_name FROM information_schema.columns c "
                        "JOIN information_schema.tables t USING (table_schema, table_name) "
                        "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
                        "AND c.column_name IN ('space_id', 'organization_id')"
                    )
                )
            )
            .scalars()
            .all()
        )
        assert {"spaces", "users", "space_memberships"} <= set(tables)
        flags = dict(
            (
                await conn.execute(
                    text(
                        "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class WHERE relname = ANY(:t)"
                    ),
                    {"t": list(tables)},
                )
            ).all()
        )
        assert all(flags.values()), f"tables without forced RLS: {[t for t, ok in flags.items() if not ok]}"
        role = (
            await conn.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'obelisk_app'"))
        ).one()
        assert tuple(role) == (False, False)
        owners = set(
            (
                await conn.execute(
                    text("SELECT tableowner FROM pg_tables WHERE tablename = ANY(:t)"), {"t": list(tables)}
                )
            ).scalars()
        )
        assert "obelisk_app" not in owners
