"""Usage accounting without a database: every call inside a meter is booked to its space and run, including
calls from worker threads; bookkeeping failures never fail the run; budgets stop a run before it starts."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from backend.core.db import TenantScope
from backend.models.accounting import (
    UsageEvent,
    counted,
    current_meter,
    metered,
    month_start,
    next_month_start,
)
from backend.models.chat_fake import make_fake_chat
from backend.models.embeddings import FakeEmbedder
from backend.models.errors import BudgetExceeded


class MemoryStore:
    def __init__(self, *, fail: bool = False, over_budget: bool = False) -> None:
        self.rows: list[tuple[TenantScope, uuid.UUID | None, UsageEvent]] = []
        self.inserts = 0
        self.fail = fail
        self.over_budget = over_budget

    async def record(self, scope: TenantScope, run_id: uuid.UUID | None, events: Sequence[UsageEvent]) -> None:
        await asyncio.sleep(0.01)
        if self.fail:
            raise ConnectionError("database gone")
        self.inserts += 1
        self.rows.extend((scope, run_id, event) for event in events)

    async def ensure_within_budget(self, scope: TenantScope) -> None:
        if self.over_budget:
            raise BudgetExceeded("This space has used its tokens", used=10, limit=5)


@pytest.fixture
def scope() -> TenantScope:
    return TenantScope(organization_id=uuid.uuid4(), space_id=uuid.uuid4())


async def test_calls_are_booked_to_the_space_and_run(scope: TenantScope) -> None:
    store, run_id = MemoryStore(), uuid.uuid4()
    model = make_fake_chat(["One two three", "Four five"])
    async with metered(scope, run_id=run_id, store=store) as meter:
        assert current_meter() is meter
        await model.ainvoke("Write a line")
        await asyncio.gather(model.ainvoke("Another"), FakeEmbedder().embed_documents(["a chunk", "another chunk"]))
    assert current_meter() is None

    assert {(s, r) for s, r, _ in store.rows} == {(scope, run_id)}
    roles = sorted(event.role for _, _, event in store.rows)
    assert roles == ["embedding", "main", "main"]
    assert meter.totals.tokens_out == 5 and meter.totals.calls == 3
    assert store.inserts <= 3  # events that arrive while a write runs share the next insert


async def test_calls_from_worker_threads_are_booked(scope: TenantScope) -> None:
    store = MemoryStore()
    model = make_fake_chat(["From a thread"])
    async with metered(scope, store=store):
        await asyncio.to_thread(model.invoke, "sync call in a worker thread")
    assert [event.tokens_out for _, _, event in store.rows] == [3]


async def test_a_failing_store_never_fails_the_run(scope: TenantScope, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        async with metered(scope, store=MemoryStore(fail=True)):
            reply = await make_fake_chat(["Still answered"]).ainvoke("Hello")
    assert reply.content == "Still answered"
    assert "could not book model usage" in caplog.text


async def test_an_exhausted_budget_stops_the_run_before_it_starts(scope: TenantScope) -> None:
    model = make_fake_chat(["never"])
    with pytest.raises(BudgetExceeded):
        async with metered(scope, store=MemoryStore(over_budget=True), check_budget=True):
            await model.ainvoke("Hello")
    assert model.calls == []


async def test_calls_outside_a_meter_are_not_booked() -> None:
    assert (await make_fake_chat(["fine"]).ainvoke("Hello")).content == "fine"


def test_budgets_reset_at_the_start_of_each_utc_month() -> None:
    december = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert month_start(december) == datetime(2026, 12, 1, tzinfo=UTC)
    assert next_month_start(december) == datetime(2027, 1, 1, tzinfo=UTC)


async def test_a_stream_left_early_or_cancelled_still_books_what_it_spent(scope: TenantScope) -> None:
    """The provider's usage arrives with the stream's last chunk; a stream closed or cancelled before it (a
    discarded speculative answer, a blocked one, Stop) is booked with an estimate, never as free."""
    model = make_fake_chat(["one two three four five six seven eight", "alpha beta gamma delta"])
    async with counted(scope) as meter:
        stream = model.astream("Write the launch email for the spring collection")
        first = await anext(stream)
        await stream.aclose()
        assert first.content and meter.totals.calls == 1
        assert meter.events[0].tokens_in > 0 and meter.events[0].tokens_out > 0

        reading = asyncio.Event()
        model.stream_pause = 3600.0  # after its first word the stream waits (inside the provider) until cancelled

        async def read() -> None:
            async for _ in model.astream("Write the launch email for the spring collection"):
                reading.set()

        task = asyncio.create_task(read())
        await reading.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert meter.totals.calls == 2 and meter.events[1].tokens_in > 0
