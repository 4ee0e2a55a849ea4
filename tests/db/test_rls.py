"""Row-level security, the second wall: with the application's own filters bypassed (raw SQL with no WHERE),
the application role still sees and writes only the current organization's (or space's) rows."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.core.db import Database
from backend.tenancy.context import SpaceContext
from tests.support.tenants import new_tenant

# Tables with a space_id that are confined by organization instead (migration 0002 says why).
ORG_SCOPED_WITH_SPACE = {"audit_log", "invitations", "space_memberships"}
ORG_TABLES = ("organizations", "users", "organization_memberships", "spaces", "space_memberships", "invitations")


@pytest.fixture
async def two_orgs(db: Database, memory_backends: None) -> tuple[SpaceContext, SpaceContext]:
    """The owners of two signed-up organizations, Alpha and Bravo."""
    a, b = await new_tenant("a", "Alpha"), await new_tenant("b", "Bravo")
    return await a.context(), await b.context()


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


async def test_every_policy_predicate_confines_reads_and_writes_to_the_current_scope(owner_engine: AsyncEngine) -> None:
    """Not only that policies exist: each policy of the application role, read back from the catalog, tests
    the current space (or organization) in both USING and WITH CHECK, so it confines writes as well as reads."""
    async with owner_engine.connect() as conn:
        policies = (
            (
                await conn.execute(
                    text(
                        "SELECT tablename, policyname, roles::text[] AS roles, cmd, coalesce(qual, '') AS qual, "
                        "coalesce(with_check, '') AS with_check FROM pg_policies WHERE schemaname = 'public'"
                    )
                )
            )
            .mappings()
            .all()
        )
        space_tables = set(
            (
                await conn.execute(
                    text(
                        "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
                        "USING (table_schema, table_name) WHERE c.table_schema = 'public' "
                        "AND t.table_type = 'BASE TABLE' AND c.column_name = 'space_id'"
                    )
                )
            ).scalars()
        )
    owner_only = [p for p in policies if p["roles"] != ["public"]]
    for policy in owner_only:  # the security-definer functions' owner: never the application role
        assert "obelisk_app" not in policy["roles"], policy
    checked = 0
    for policy in (p for p in policies if p["roles"] == ["public"]):
        setting = "app.space_id" if policy["policyname"].endswith("_space_isolation") else "app.organization_id"
        assert setting in policy["qual"], policy
        assert policy["cmd"] != "ALL" or setting in policy["with_check"], policy
        checked += 1
    isolated = {p["tablename"] for p in policies if p["policyname"].endswith("_space_isolation")}
    assert len(isolated) > 10 and "documents" in isolated and "chunks" in isolated
    assert space_tables - isolated == ORG_SCOPED_WITH_SPACE, "a space-owned table without the space policy"
    assert checked >= len(isolated)


async def test_a_space_transaction_sees_and_writes_only_its_space_within_one_organization(
    db: Database, memory_backends: None
) -> None:
    """Two spaces of the same organization: the organization setting is the same, so only the space predicate
    separates them. Raw SQL with no filter, scoped to space A, reads, updates and inserts nothing of B."""
    from backend.tenancy import spaces
    from backend.tenancy.access import authenticate, resolve_space_context

    owner = await new_tenant("olga", "One Org")
    principal = await authenticate(owner.token)
    b_space = uuid.UUID((await spaces.create_space(principal, name="Bravo"))["id"])
    a_ctx = await owner.context()
    b_ctx = await resolve_space_context(principal, b_space)
    fact = text(
        "INSERT INTO key_facts (id, organization_id, space_id, text, created_at) VALUES (:id, :org, :s, :t, now())"
    )
    for ctx, words in ((a_ctx, "Alpha fact"), (b_ctx, "Bravo secret fact")):
        async with db.tenant(ctx.scope) as session:
            await session.execute(fact, {"id": uuid.uuid4(), "org": ctx.organization_id, "s": ctx.space_id, "t": words})
    async with db.tenant(a_ctx.scope) as session:
        assert (await session.execute(text("SELECT text FROM key_facts"))).scalars().all() == ["Alpha fact"]
        changed = await session.execute(
            text("UPDATE key_facts SET text = 'hijacked' WHERE space_id = :b"), {"b": b_space}
        )
        assert changed.rowcount == 0
        gone = await session.execute(text("DELETE FROM key_facts WHERE space_id = :b"), {"b": b_space})
        assert gone.rowcount == 0
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.tenant(a_ctx.scope) as session:
            await session.execute(
                fact, {"id": uuid.uuid4(), "org": a_ctx.organization_id, "s": b_space, "t": "planted"}
            )
    async with db.tenant(b_ctx.scope) as session:
        assert (await session.execute(text("SELECT text FROM key_facts"))).scalars().all() == ["Bravo secret fact"]
