"""SQL of the runs domain. Keyword-only; `session, scope` first; every query filters by the scope's space
(row-level security is the second wall behind that filter)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.core.db import TenantScope
from backend.models.usage import ModelUsage
from backend.runs.events import RunEventPublic
from backend.runs.models import ACTIVE_STATUSES, AgentRun, AgentRunEvent

NewEvent = tuple[str, dict[str, Any]]
"""An event to append: its type and payload (the sequence is allocated by `append_events`)."""

_ALLOCATE = text(
    "UPDATE agent_runs SET last_sequence = last_sequence + :n "
    "WHERE id = :run_id AND space_id = :space_id RETURNING last_sequence"
)


async def add_run(
    session: AsyncSession,
    scope: TenantScope,
    *,
    conversation_id: uuid.UUID,
    agent: str,
    message: str,
    document_ids: Sequence[str],
    user_id: uuid.UUID | None,
) -> AgentRun:
    """A new queued run (flushed, so a second active run of the conversation fails here)."""
    row = AgentRun(
        organization_id=scope.organization_id,
        space_id=scope.space_id,
        conversation_id=conversation_id,
        agent=agent,
        message=message,
        document_ids=list(document_ids),
        created_by=user_id,
    )
    session.add(row)
    await session.flush()
    return row


async def get_run(
    session: AsyncSession, scope: TenantScope, *, run_id: uuid.UUID, lock: bool = False
) -> AgentRun | None:
    query = select(AgentRun).where(col(AgentRun.id) == run_id, col(AgentRun.space_id) == scope.space_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def active_run_id(session: AsyncSession, scope: TenantScope, *, conversation_id: uuid.UUID) -> uuid.UUID | None:
    """The conversation's queued or running run, if any."""
    query = select(col(AgentRun.id)).where(
        col(AgentRun.space_id) == scope.space_id,
        col(AgentRun.conversation_id) == conversation_id,
        col(AgentRun.status).in_(ACTIVE_STATUSES),
    )
    return (await session.execute(query)).scalar_one_or_none()


async def list_runs(
    session: AsyncSession, scope: TenantScope, *, conversation_id: uuid.UUID, limit: int
) -> list[AgentRun]:
    """The conversation's runs, newest first."""
    query = (
        select(AgentRun)
        .where(col(AgentRun.space_id) == scope.space_id, col(AgentRun.conversation_id) == conversation_id)
        .order_by(col(AgentRun.created_at).desc())
        .limit(limit)
    )
    return list((await session.execute(query)).scalars().all())


async def stop_state(
    session: AsyncSession, scope: TenantScope, *, run_id: uuid.UUID
) -> tuple[bool, str, int] | None:
    """What an executing attempt polls: (cancel requested, status, attempts), or None for a deleted run."""
    query = select(col(AgentRun.cancel_requested), col(AgentRun.status), col(AgentRun.attempts)).where(
        col(AgentRun.id) == run_id, col(AgentRun.space_id) == scope.space_id
    )
    row = (await session.execute(query)).first()
    return None if row is None else (bool(row[0]), str(row[1]), int(row[2]))


async def append_events(
    session: AsyncSession, scope: TenantScope, *, run_id: uuid.UUID, events: Sequence[NewEvent]
) -> list[RunEventPublic]:
    """Append `events` in order with the next sequences of the run and return them as stored.

    The sequences come from bumping `agent_runs.last_sequence` by n: the UPDATE takes the run's row lock,
    so a concurrent appender waits until this transaction ends and then continues from the new value. A
    transaction that rolls back releases its numbers with it, so the stored sequences stay 1..n with no gap.
    """
    if not events:
        return []
    last = (
        await session.execute(_ALLOCATE, {"n": len(events), "run_id": run_id, "space_id": scope.space_id})
    ).scalar_one_or_none()
    if last is None:
        raise LookupError(f"run {run_id} is not in this space")
    first = last - len(events) + 1
    now = datetime.now(UTC)
    rows = [
        RunEventPublic.model_validate(
            {"sequence": first + i, "type": kind, "payload": _jsonable(payload), "created_at": now}
        )
        for i, (kind, payload) in enumerate(events)
    ]
    await session.execute(
        insert(AgentRunEvent),
        [
            {
                "run_id": run_id,
                "sequence": row.sequence,
                "organization_id": scope.organization_id,
                "space_id": scope.space_id,
                "type": row.type,
                "payload": row.payload,
                "created_at": now,
            }
            for row in rows
        ],
    )
    return rows


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as JSON will give it back (tuples become lists, dates strings), so the live copy of an
    event and its replayed copy are equal, and a tool result holding a date cannot fail the insert."""
    value: dict[str, Any] = json.loads(json.dumps(payload, default=str))
    return value


async def list_events(
    session: AsyncSession,
    scope: TenantScope,
    *,
    run_id: uuid.UUID,
    after: int = 0,
    before: int | None = None,
    limit: int | None = None,
) -> list[RunEventPublic]:
    """The run's events with `after < sequence` (and `< before` when given), in order."""
    query = (
        select(
            col(AgentRunEvent.sequence),
            col(AgentRunEvent.type),
            col(AgentRunEvent.payload),
            col(AgentRunEvent.created_at),
        )
        .where(
            col(AgentRunEvent.run_id) == run_id,
            col(AgentRunEvent.space_id) == scope.space_id,
            col(AgentRunEvent.sequence) > after,
        )
        .order_by(col(AgentRunEvent.sequence))
    )
    if before is not None:
        query = query.where(col(AgentRunEvent.sequence) < before)
    if limit is not None:
        query = query.limit(limit)
    return [
        RunEventPublic(sequence=s, type=t, payload=p, created_at=c)
        for s, t, p, c in (await session.execute(query)).all()
    ]


async def usage_of(session: AsyncSession, scope: TenantScope, *, run_id: uuid.UUID) -> dict[str, Any]:
    """Model calls and tokens booked to the run (`model_usage` rows written by the run's meter)."""
    query = (
        select(
            col(ModelUsage.role),
            func.count(),
            func.coalesce(func.sum(col(ModelUsage.tokens_in)), 0),
            func.coalesce(func.sum(col(ModelUsage.tokens_out)), 0),
        )
        .where(col(ModelUsage.space_id) == scope.space_id, col(ModelUsage.run_id) == run_id)
        .group_by(col(ModelUsage.role))
    )
    by_role = {
        role: {"calls": int(calls), "tokens_in": int(tokens_in), "tokens_out": int(tokens_out)}
        for role, calls, tokens_in, tokens_out in (await session.execute(query)).all()
    }
    return {
        "calls": sum(r["calls"] for r in by_role.values()),
        "tokens_in": sum(r["tokens_in"] for r in by_role.values()),
        "tokens_out": sum(r["tokens_out"] for r in by_role.values()),
        "by_role": by_role,
    }


__all__ = [
    "NewEvent",
    "active_run_id",
    "add_run",
    "append_events",
    "get_run",
    "list_events",
    "list_runs",
    "stop_state",
    "usage_of",
]
