"""Usage accounting: every model call is measured and booked to the space and run it ran for.

A run (or an ingestion job) opens `metered(scope, run_id=...)`; every chat and embedding call made inside it,
in any task or worker thread that inherits the context, reports a `UsageEvent` to that meter, which writes it
to `model_usage` in the space's own transaction (row-level security applies). The models never need to be
told the scope, so a graph stays free of accounting code. Outside a meter calls are measured but not booked.

Budgets: `DatabaseUsageStore.ensure_within_budget(scope)` refuses a new run when the space's chat tokens of
the current calendar month (UTC) have reached its `monthly_token_limit`. Embedding tokens are booked but not
counted against the budget: they cost a small fraction of chat tokens and an upload must never lock a team out
of writing.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.config import get_settings
from backend.core.db import Database, TenantScope, get_database
from backend.models.errors import BudgetExceeded
from backend.models.usage import ModelUsage, SpaceBudget

logger = logging.getLogger(__name__)

CHAT_ROLES = ("main", "fast")


@dataclass(frozen=True, slots=True)
class UsageEvent:
    """One measured model call."""

    provider: str
    model: str
    role: str
    tokens_in: int
    tokens_out: int
    latency_ms: int
    ttft_ms: int | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class UsageStore(Protocol):
    """Where booked usage goes and where budgets come from."""

    async def record(self, scope: TenantScope, run_id: uuid.UUID | None, events: Sequence[UsageEvent]) -> None:
        """Store `events` as usage of `scope` (and `run_id`)."""
        ...

    async def ensure_within_budget(self, scope: TenantScope) -> None:
        """Raise `BudgetExceeded` when the space may not start another run."""
        ...


@dataclass(slots=True)
class UsageTotals:
    """Sums over a meter's events."""

    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0


class UsageMeter:
    """Collects the usage of one run (or job) and books it as it happens.

    Writes go through one writer task per meter, which takes whatever has accumulated and inserts it in one
    transaction: a burst of calls costs a few inserts, and a run never holds more than one connection for
    its accounting.
    """

    def __init__(self, scope: TenantScope, *, run_id: uuid.UUID | None = None, store: UsageStore | None) -> None:
        if not isinstance(scope, TenantScope):
            raise RuntimeError("usage is always booked to a space: metered() needs a TenantScope")
        self.scope = scope
        self.run_id = run_id
        self.store = store
        self.events: list[UsageEvent] = []
        self._unwritten: list[UsageEvent] = []
        self._writer: asyncio.Task[None] | None = None
        self._loop = asyncio.get_running_loop()

    @property
    def totals(self) -> UsageTotals:
        """Calls and tokens booked so far in this meter."""
        totals = UsageTotals()
        for event in self.events:
            totals.calls += 1
            totals.tokens_in += event.tokens_in
            totals.tokens_out += event.tokens_out
        return totals

    def add(self, event: UsageEvent) -> None:
        """Keep the event and start writing it; safe to call from worker threads (local models run there)."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._keep(event)
            return
        try:
            self._loop.call_soon_threadsafe(self._keep, event)
        except RuntimeError:
            logger.warning("model usage reported after its run ended", extra={"space_id": str(self.scope.space_id)})

    def _keep(self, event: UsageEvent) -> None:
        self.events.append(event)
        if self.store is None:
            return
        self._unwritten.append(event)
        if self._writer is None or self._writer.done():
            self._writer = self._loop.create_task(self._write(self.store), name="model-usage-writer")

    async def _write(self, store: UsageStore) -> None:
        while self._unwritten:
            batch, self._unwritten = self._unwritten, []
            try:
                await store.record(self.scope, self.run_id, batch)
            except Exception:
                # Losing usage rows must never fail the user's run; it is logged so the gap is visible.
                logger.exception(
                    "could not book model usage",
                    extra={"space_id": str(self.scope.space_id), "events": len(batch)},
                )

    async def flush(self) -> None:
        """Wait until every event handed to the meter so far has been written."""
        await asyncio.sleep(0)  # let call_soon_threadsafe callbacks scheduled by worker threads run first
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)


_current_meter: contextvars.ContextVar[UsageMeter | None] = contextvars.ContextVar("model_usage_meter", default=None)


@asynccontextmanager
async def metered(
    scope: TenantScope,
    *,
    run_id: uuid.UUID | None = None,
    store: UsageStore | None = None,
    check_budget: bool = False,
) -> AsyncIterator[UsageMeter]:
    """Book every model call made inside the block to `scope` (and `run_id`).

    With `check_budget` the block does not start (`BudgetExceeded`) when the space has used its monthly
    token budget: a run opens its meter this way. `store` defaults to the database; `counted` counts
    without writing anything.
    """
    store = store if store is not None else DatabaseUsageStore()
    if check_budget:
        await store.ensure_within_budget(scope)
    meter = UsageMeter(scope, run_id=run_id, store=store)
    token = _current_meter.set(meter)
    try:
        yield meter
    finally:
        _current_meter.reset(token)
        await meter.flush()


@asynccontextmanager
async def counted(scope: TenantScope, *, run_id: uuid.UUID | None = None) -> AsyncIterator[UsageMeter]:
    """Like `metered`, but only counts in memory (benchmarks, previews, tests): nothing is written."""
    meter = UsageMeter(scope, run_id=run_id, store=None)
    token = _current_meter.set(meter)
    try:
        yield meter
    finally:
        _current_meter.reset(token)


def current_meter() -> UsageMeter | None:
    """The meter of the run this code executes in, if any."""
    return _current_meter.get()


def report_usage(event: UsageEvent) -> None:
    """Called by the providers after every call: book it to the current meter, log it in any case."""
    logger.debug(
        "model call",
        extra={
            "provider": event.provider,
            "model": event.model,
            "role": event.role,
            "tokens_in": event.tokens_in,
            "tokens_out": event.tokens_out,
            "latency_ms": event.latency_ms,
            "ttft_ms": event.ttft_ms,
        },
    )
    meter = _current_meter.get()
    if meter is not None:
        meter.add(event)


async def ensure_within_budget(scope: TenantScope, *, store: UsageStore | None = None) -> None:
    """Raise `BudgetExceeded` (with a message for the user) when the space may not start another run."""
    await (store if store is not None else DatabaseUsageStore()).ensure_within_budget(scope)


def month_start(now: datetime | None = None) -> datetime:
    """Midnight UTC on the first day of the month of `now`: budgets reset then."""
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(now: datetime | None = None) -> datetime:
    """Midnight UTC on the first day of the next month: when an exhausted budget becomes available again."""
    start = month_start(now)
    return start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)


async def book_usage(
    session: AsyncSession, scope: TenantScope, run_id: uuid.UUID | None, events: Sequence[UsageEvent]
) -> None:
    """Add one `model_usage` row per event to `session`'s transaction (a job that writes its results in one
    transaction books its usage in the same one; `DatabaseUsageStore` uses a transaction of its own)."""
    session.add_all(
        ModelUsage(
            organization_id=scope.organization_id,
            space_id=scope.space_id,
            run_id=run_id,
            provider=event.provider[:32],
            model=event.model[:200],
            role=event.role[:16],
            tokens_in=event.tokens_in,
            tokens_out=event.tokens_out,
            latency_ms=event.latency_ms,
            ttft_ms=event.ttft_ms,
            created_at=event.created_at,
        )
        for event in events
    )


class DatabaseUsageStore:
    """Usage rows and budgets in PostgreSQL, always inside the space's own transaction."""

    @property
    def database(self) -> Database:
        """The process-wide database (looked up per call, so tests can swap it with `set_database`)."""
        return get_database()

    async def record(self, scope: TenantScope, run_id: uuid.UUID | None, events: Sequence[UsageEvent]) -> None:
        """Insert one `model_usage` row per event."""
        async with self.database.tenant(scope) as session:
            await book_usage(session, scope, run_id, events)

    async def tokens_this_month(self, scope: TenantScope, *, now: datetime | None = None) -> int:
        """Chat tokens (in + out) the space used since the start of the current month."""
        query = select(func.coalesce(func.sum(ModelUsage.tokens_in + ModelUsage.tokens_out), 0)).where(
            ModelUsage.space_id == scope.space_id,  # type: ignore[arg-type]
            ModelUsage.created_at >= month_start(now),  # type: ignore[arg-type]
            ModelUsage.role.in_(CHAT_ROLES),  # type: ignore[attr-defined]
        )
        async with self.database.tenant(scope) as session:
            return int((await session.execute(query)).scalar_one())

    async def monthly_limit(self, scope: TenantScope) -> int | None:
        """The space's monthly token limit, or None when it has none."""
        async with self.database.tenant(scope) as session:
            budget = await session.get(SpaceBudget, scope.space_id)
            return None if budget is None else budget.monthly_token_limit

    async def set_monthly_limit(self, scope: TenantScope, limit: int | None) -> None:
        """Set (or with None, lift) the space's monthly token limit."""
        if limit is not None and limit < 0:
            raise ValueError("a token budget cannot be negative")
        async with self.database.tenant(scope) as session:
            budget = await session.get(SpaceBudget, scope.space_id)
            if budget is None:
                budget = SpaceBudget(space_id=scope.space_id, organization_id=scope.organization_id)
            budget.monthly_token_limit = limit
            budget.updated_at = datetime.now(UTC)
            session.add(budget)

    async def ensure_within_budget(self, scope: TenantScope, *, now: datetime | None = None) -> None:
        """Raise `BudgetExceeded` when the space may not start another run this month."""
        limit = await self.monthly_limit(scope)
        if limit is None:
            return
        used = await self.tokens_this_month(scope, now=now)
        if used >= limit:
            resets = next_month_start(now).strftime("%d %B %Y")
            raise BudgetExceeded(
                f"This space has used {used:,} of its {limit:,} model tokens for this month, so new runs are "
                f"paused until {resets} (UTC). A space admin can raise the monthly token budget.",
                used=used,
                limit=limit,
            )


class DeferredUsageStore:
    """Usage of short requests (searches), written a moment later: one transaction per space and run for every
    search of that moment instead of one per search.

    A search's only model call is usually its query embedding; writing its row in a transaction of its own
    cost more than the search's SQL. Here `record` only queues the events (the request does not wait for a
    write) and a background task writes what accumulated after `delay` seconds. The price: what is queued
    when the process dies is lost (`flush_deferred_usage` writes it at shutdown). Budgets are read from the
    wrapped store, so they see the rows once written.
    """

    def __init__(self, store: UsageStore | None = None, *, delay: float = 1.0) -> None:
        self.store: UsageStore = store if store is not None else DatabaseUsageStore()
        self.delay = delay
        self._pending: dict[tuple[TenantScope, uuid.UUID | None], list[UsageEvent]] = {}
        self._task: asyncio.Task[None] | None = None

    async def record(self, scope: TenantScope, run_id: uuid.UUID | None, events: Sequence[UsageEvent]) -> None:
        if self.delay <= 0:  # no deferral: written before the request answers
            await self.store.record(scope, run_id, events)
            return
        self._pending.setdefault((scope, run_id), []).extend(events)
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._write_later(), name="deferred-usage-writer")

    async def _write_later(self) -> None:
        await asyncio.sleep(self.delay)
        await self.flush()

    async def flush(self) -> None:
        """Write everything queued so far."""
        while self._pending:
            pending, self._pending = self._pending, {}
            for (scope, run_id), events in pending.items():
                try:
                    await self.store.record(scope, run_id, events)
                except Exception:
                    logger.exception(
                        "could not book model usage", extra={"space_id": str(scope.space_id), "events": len(events)}
                    )

    async def ensure_within_budget(self, scope: TenantScope) -> None:
        await self.store.ensure_within_budget(scope)


_deferred: DeferredUsageStore | None = None


def deferred_usage_store() -> DeferredUsageStore:
    """The process-wide `DeferredUsageStore` (over the database)."""
    global _deferred
    if _deferred is None:
        _deferred = DeferredUsageStore(delay=get_settings().search_usage_delay_ms / 1000)
    return _deferred


async def flush_deferred_usage() -> None:
    """Write the usage still queued in the process-wide deferred store (at shutdown)."""
    if _deferred is not None:
        await _deferred.flush()


__all__ = [
    "DatabaseUsageStore",
    "DeferredUsageStore",
    "UsageEvent",
    "UsageMeter",
    "UsageStore",
    "UsageTotals",
    "book_usage",
    "counted",
    "current_meter",
    "deferred_usage_store",
    "ensure_within_budget",
    "flush_deferred_usage",
    "metered",
    "month_start",
    "report_usage",
]
