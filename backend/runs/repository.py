"""SQL of the runs domain. Keyword-only; `session, scope` first; every query filters by the scope's space
(row-level security is the second wall behind that filter)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.core.db import TenantScope
from backend.models.usage import ModelUsage
from backend.runs.events import EVENT_TYPES, RunEventPublic
from backend.runs.models import ACTIVE_STATUSES, AgentRun, AgentRunEvent

NewEvent = tuple[str, dict[str, Any]]
"""An event to append: its type and payload (the sequence is allocated by `append_events`)."""

_ALLOCATE = text(
    "UPDATE agent_runs SET last_sequence = last_sequence + :n "
    "WHERE id = :run_id AND space_id = :space_id RETURNING last_sequence"
)
_ALLOCATE_MANY = text(
    "UPDATE agent_runs AS r SET last_sequence = r.last_sequence + v.n "
    "FROM unnest(CAST(:run_ids AS uuid[]), CAST(:counts AS integer[])) AS v(id, n) "
    "WHERE r.id = v.id AND r.space_id = :space_id RETURNING r.id, r.last_sequence"
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
    run_id: uuid.UUID | None = None,
) -> AgentRun:
    """A new queued run (flushed, so a second active run of the conversation fails here)."""
    row = AgentRun(
        id=run_id or uuid.uuid4(),
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


async def stop_state(session: AsyncSession, scope: TenantScope, *, run_id: uuid.UUID) -> tuple[bool, str, int] | None:
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
    rows = _stamped(events, last - len(events) + 1)
    await _insert(session, scope, [(run_id, rows)])
    return rows


async def append_to_runs(
    session: AsyncSession, scope: TenantScope, *, batches: Sequence[tuple[uuid.UUID, Sequence[NewEvent]]]
) -> list[list[RunEventPublic] | None]:
    """`append_events` for several runs of the space in two statements (one UPDATE, one multi-row INSERT);
    per batch, its events as stored, or None for a run that is not in this space (deleted meanwhile).

    A run may appear in several batches: its batches get consecutive sequences in the order given. The
    UPDATE locks the runs' rows in id order, so two such writers cannot deadlock on each other.
    """
    counts: dict[uuid.UUID, int] = {}
    for run_id, events in batches:
        if events:
            counts[run_id] = counts.get(run_id, 0) + len(events)
    if not counts:
        return [[] for _ in batches]
    ids = sorted(counts)
    allocated = {
        rid: int(last)
        for rid, last in (
            await session.execute(
                _ALLOCATE_MANY,
                {"run_ids": ids, "counts": [counts[i] for i in ids], "space_id": scope.space_id},
            )
        ).all()
    }
    following = {rid: last - counts[rid] + 1 for rid, last in allocated.items()}
    out: list[list[RunEventPublic] | None] = []
    inserts: list[tuple[uuid.UUID, list[RunEventPublic]]] = []
    for run_id, events in batches:
        if not events:
            out.append([])
            continue
        if run_id not in following:
            out.append(None)
            continue
        rows = _stamped(events, following[run_id])
        following[run_id] += len(rows)
        inserts.append((run_id, rows))
        out.append(rows)
    await _insert(session, scope, inserts)
    return out


_FOLD_UPDATE = text(
    "UPDATE agent_run_events AS e SET payload = jsonb_build_object('text', v.text) "
    "FROM unnest(CAST(:sequences AS integer[]), CAST(:texts AS text[])) AS v(sequence, text) "
    "WHERE e.run_id = :run_id AND e.space_id = :space_id AND e.type = 'token' AND e.sequence = v.sequence"
)
_FOLD_DELETE = text(
    "DELETE FROM agent_run_events WHERE run_id = :run_id AND space_id = :space_id AND type = 'token' "
    "AND sequence = ANY(CAST(:sequences AS integer[]))"
)


async def fold_token_events(
    session: AsyncSession, scope: TenantScope, *, run_id: uuid.UUID, texts: dict[int, str], drop: Sequence[int]
) -> None:
    """Set the text of the token events at `texts`' sequences and delete the token events at `drop`."""
    if texts:
        await session.execute(
            _FOLD_UPDATE,
            {"sequences": list(texts), "texts": list(texts.values()), "run_id": run_id, "space_id": scope.space_id},
        )
    if drop:
        await session.execute(_FOLD_DELETE, {"sequences": list(drop), "run_id": run_id, "space_id": scope.space_id})


_REDACT_ATTEMPT = text(
    "UPDATE agent_run_events SET payload = jsonb_build_object('text', '', 'redacted', true) "
    "WHERE run_id = :run_id AND space_id = :space_id AND type = 'token' AND sequence > COALESCE(("
    "SELECT max(sequence) FROM agent_run_events WHERE run_id = :run_id AND space_id = :space_id "
    "AND type = 'status' AND payload->>'status' = 'running'), 0)"
)


async def redact_attempt_tokens(session: AsyncSession, scope: TenantScope, *, run_id: uuid.UUID) -> int:
    """Empty the text of the token events of the run's current attempt (those after its last `status:
    running` event), each marked `redacted: true`; the events and their sequences stay. How many there were."""
    result = await session.execute(_REDACT_ATTEMPT, {"run_id": run_id, "space_id": scope.space_id})
    return int(getattr(result, "rowcount", 0) or 0)


async def runs_to_compact(
    session: AsyncSession, *, before: datetime, limit: int
) -> list[tuple[TenantScope, uuid.UUID]]:
    """Finished runs of every space that retention has not folded yet, oldest first: only their ids (through
    the SECURITY DEFINER function of migration 0017; each run is then changed in its own space's transaction)."""
    rows = await session.execute(
        text("SELECT organization_id, space_id, run_id FROM obelisk_runs_to_compact(:before, :limit)"),
        {"before": before, "limit": limit},
    )
    return [(TenantScope(org, space), run_id) for org, space, run_id in rows.all()]


def _stamped(events: Sequence[NewEvent], first: int) -> list[RunEventPublic]:
    now = datetime.now(UTC)
    rows = []
    for i, (kind, payload) in enumerate(events):
        if kind not in EVENT_TYPES:
            raise ValueError(f"unknown run event type {kind!r}")
        rows.append(RunEventPublic.trusted(first + i, kind, _jsonable(payload), now))
    return rows


async def _insert(
    session: AsyncSession, scope: TenantScope, batches: Sequence[tuple[uuid.UUID, Sequence[RunEventPublic]]]
) -> None:
    values = [
        {
            "run_id": run_id,
            "sequence": row.sequence,
            "organization_id": scope.organization_id,
            "space_id": scope.space_id,
            "type": row.type,
            "payload": row.payload,
            "created_at": row.created_at,
        }
        for run_id, rows in batches
        for row in rows
    ]
    if values:
        await session.execute(insert(AgentRunEvent), values)


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as JSON will give it back (tuples become lists, dates strings), so the live copy of an
    event and its replayed copy are equal, and a tool result holding a date cannot fail the insert."""
    value: dict[str, Any] = orjson.loads(orjson.dumps(payload, default=str, option=orjson.OPT_NON_STR_KEYS))
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
    # Stored rows were checked when they were written: no validation again on the way out.
    return [RunEventPublic.trusted(s, t, p, c) for s, t, p, c in (await session.execute(query)).all()]


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
    "append_to_runs",
    "fold_token_events",
    "get_run",
    "list_events",
    "list_runs",
    "redact_attempt_tokens",
    "runs_to_compact",
    "stop_state",
    "usage_of",
]
