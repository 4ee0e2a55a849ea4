"""Model usage and token budgets in PostgreSQL, as the application role, under row-level security.

Each test runs in a rolled-back transaction. Spaces are created with plain SQL (this tier tests the models
layer, which sits below tenancy and must not depend on its services).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from backend.core.db import Database, TenantScope
from backend.models.accounting import DatabaseUsageStore, UsageEvent, metered
from backend.models.chat_fake import make_fake_chat
from backend.models.embeddings import FakeEmbedder
from backend.models.errors import BudgetExceeded


async def _space(db: Database, name: str) -> TenantScope:
    scope = TenantScope(organization_id=uuid.uuid4(), space_id=uuid.uuid4())
    async with db.session(organization_id=scope.organization_id) as session:
        await session.execute(
            text("INSERT INTO organizations (id, name) VALUES (:id, :name)"),
            {"id": scope.organization_id, "name": f"{name} Inc."},
        )
        await session.execute(
            text("INSERT INTO spaces (id, organization_id, name) VALUES (:id, :org, :name)"),
            {"id": scope.space_id, "org": scope.organization_id, "name": name},
        )
    return scope


def _event(tokens_in: int, tokens_out: int, *, role: str = "main", created_at: datetime | None = None) -> UsageEvent:
    return UsageEvent(
        provider="fake", model="fake-chat", role=role, tokens_in=tokens_in, tokens_out=tokens_out, latency_ms=12,
        ttft_ms=5, created_at=created_at or datetime.now(UTC),
    )


async def test_a_runs_model_calls_are_recorded_in_its_space(db: Database) -> None:
    scope = await _space(db, "Marketing")
    run_id = uuid.uuid4()
    model = make_fake_chat(["A fresh subject line", "Second answer here"])

    async with metered(scope, run_id=run_id, store=DatabaseUsageStore()):
        await model.ainvoke("Write a subject line")
        async for _ in model.astream("And a preheader"):
            pass
        await FakeEmbedder().embed_documents(["brand guide chunk"])

    async with db.tenant(scope) as session:
        rows = (
            await session.execute(
                text("SELECT run_id, provider, model, role, tokens_in, tokens_out, latency_ms, ttft_ms "
                     "FROM model_usage WHERE space_id = :space ORDER BY created_at"),
                {"space": scope.space_id},
            )
        ).all()
    assert [(r.run_id, r.role) for r in rows] == [(run_id, "main"), (run_id, "main"), (run_id, "embedding")]
    assert rows[0].model == "fake-chat" and rows[0].tokens_in == 4 and rows[0].tokens_out == 4
    assert rows[1].ttft_ms is not None  # measured on the streamed call
    assert rows[2].tokens_in == 3 and rows[2].tokens_out == 0


async def test_space_b_never_sees_space_a_usage(db: Database) -> None:
    a, b = await _space(db, "Space A"), await _space(db, "Space B")
    store = DatabaseUsageStore()
    await store.record(a, None, [_event(100, 50), _event(10, 5)])

    # The application filter is left out on purpose: row-level security alone must hide A's rows.
    async with db.tenant(b) as session:
        seen_by_b = (await session.execute(text("SELECT count(*) FROM model_usage"))).scalar_one()
    async with db.session() as session:
        seen_without_scope = (await session.execute(text("SELECT count(*) FROM model_usage"))).scalar_one()
    async with db.tenant(a) as session:
        seen_by_a = (await session.execute(text("SELECT count(*) FROM model_usage"))).scalar_one()
    assert (seen_by_a, seen_by_b, seen_without_scope) == (2, 0, 0)
    assert await store.tokens_this_month(b) == 0
    assert await store.tokens_this_month(a) == 165


async def test_a_space_cannot_write_usage_into_another_space(db: Database) -> None:
    a, b = await _space(db, "Space A"), await _space(db, "Space B")
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.tenant(b) as session:
            await session.execute(
                text("INSERT INTO model_usage (id, space_id, organization_id, provider, model, role) "
                     "VALUES (:id, :space, :org, 'fake', 'fake-chat', 'main')"),
                {"id": uuid.uuid4(), "space": a.space_id, "org": a.organization_id},
            )


async def test_budgets_are_per_space_and_invisible_to_other_spaces(db: Database) -> None:
    a, b = await _space(db, "Space A"), await _space(db, "Space B")
    store = DatabaseUsageStore()
    await store.set_monthly_limit(a, 1_000)

    assert await store.monthly_limit(a) == 1_000
    assert await store.monthly_limit(b) is None
    async with db.tenant(b) as session:
        assert (await session.execute(text("SELECT count(*) FROM space_budgets"))).scalar_one() == 0


async def test_an_exhausted_budget_refuses_new_runs_with_a_clear_message(db: Database) -> None:
    a, b = await _space(db, "Space A"), await _space(db, "Space B")
    store = DatabaseUsageStore()
    await store.set_monthly_limit(a, 1_000)
    await store.set_monthly_limit(b, 1_000)
    last_month = datetime.now(UTC).replace(day=1) - timedelta(days=2)
    await store.record(a, None, [
        _event(600, 300),
        _event(5_000, 0, role="embedding"),  # embeddings are booked but never lock a team out of writing
        _event(9_000, 9_000, created_at=last_month),  # last month's usage does not count
    ])

    await store.ensure_within_budget(a)  # 900 of 1,000: still allowed
    await store.record(a, None, [_event(80, 20)])
    with pytest.raises(BudgetExceeded) as raised:
        await store.ensure_within_budget(a)
    assert (raised.value.used, raised.value.limit, raised.value.status_code) == (1_000, 1_000, 429)
    assert "1,000 of its 1,000 model tokens" in raised.value.message
    assert "paused until 01" in raised.value.message and "raise the monthly token budget" in raised.value.message

    with pytest.raises(BudgetExceeded):
        async with metered(a, store=store, check_budget=True):
            pass
    await store.ensure_within_budget(b)  # another space is unaffected

    await store.set_monthly_limit(a, None)  # lifting the budget lets runs start again
    await store.ensure_within_budget(a)
