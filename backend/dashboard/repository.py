"""The dashboard's SQL: read-only aggregates, keyword-only, `session, scope` first, every query filtered by
the scope's space (row-level security is the second wall). Each query groups in the database and returns a
few rows, whatever the space's size: `ix_agent_runs_space_created` and `ix_model_usage_space_created` keep the
date-range scans to the space's rows of the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.content.models import ContentItem, ContentVersion
from backend.core.db import TenantScope
from backend.documents.models import Document
from backend.models.usage import ModelUsage
from backend.runs.models import AgentRun

OUTSIDE_RUNS = "outside runs"
"""The agent name of usage booked outside any run (document ingestion, content scoring, searches)."""


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open time range [start, end) in UTC."""

    start: datetime
    end: datetime


async def run_counts(session: AsyncSession, scope: TenantScope, *, window: Window) -> list[tuple[str, str | None, int]]:
    """(status, stop reason, runs) over the runs created in the window."""
    query = (
        select(col(AgentRun.status), col(AgentRun.stop_reason), func.count())
        .where(
            col(AgentRun.space_id) == scope.space_id,
            col(AgentRun.created_at) >= window.start,
            col(AgentRun.created_at) < window.end,
        )
        .group_by(col(AgentRun.status), col(AgentRun.stop_reason))
    )
    return [(row[0], row[1], int(row[2])) for row in (await session.execute(query)).all()]


async def recent_runs(session: AsyncSession, scope: TenantScope, *, window: Window, limit: int) -> list[Any]:
    """The newest runs created in the window, newest first (id, agent, status, stop reason, error, times)."""
    query = (
        select(
            col(AgentRun.id),
            col(AgentRun.agent),
            col(AgentRun.status),
            col(AgentRun.stop_reason),
            func.left(col(AgentRun.error), 300),
            col(AgentRun.created_at),
            col(AgentRun.finished_at),
        )
        .where(
            col(AgentRun.space_id) == scope.space_id,
            col(AgentRun.created_at) >= window.start,
            col(AgentRun.created_at) < window.end,
        )
        .order_by(col(AgentRun.created_at).desc(), col(AgentRun.id))
        .limit(limit)
    )
    return list((await session.execute(query)).all())


async def usage_by_agent_and_model(session: AsyncSession, scope: TenantScope, *, window: Window) -> list[Any]:
    """(agent, provider, model, calls, tokens in, tokens out) booked in the window, largest first."""
    agent = func.coalesce(col(AgentRun.agent), OUTSIDE_RUNS).label("agent")
    tokens = func.sum(col(ModelUsage.tokens_in) + col(ModelUsage.tokens_out))
    query = (
        select(
            agent,
            col(ModelUsage.provider),
            col(ModelUsage.model),
            func.count(),
            func.sum(col(ModelUsage.tokens_in)),
            func.sum(col(ModelUsage.tokens_out)),
        )
        .select_from(ModelUsage)
        .outerjoin(
            AgentRun,
            and_(col(AgentRun.id) == col(ModelUsage.run_id), col(AgentRun.space_id) == col(ModelUsage.space_id)),
        )
        .where(
            col(ModelUsage.space_id) == scope.space_id,
            col(ModelUsage.created_at) >= window.start,
            col(ModelUsage.created_at) < window.end,
        )
        .group_by(agent, col(ModelUsage.provider), col(ModelUsage.model))
        .order_by(tokens.desc())
    )
    return list((await session.execute(query)).all())


async def document_counts(session: AsyncSession, scope: TenantScope) -> list[tuple[str, int, int, int]]:
    """(status, documents, quarantined chunks, documents with a quarantined chunk) over the whole library."""
    query = (
        select(
            col(Document.status),
            func.count(),
            func.coalesce(func.sum(col(Document.quarantined_count)), 0),
            func.count().filter(col(Document.quarantined_count) > 0),
        )
        .where(col(Document.space_id) == scope.space_id)
        .group_by(col(Document.status))
    )
    return [(row[0], int(row[1]), int(row[2]), int(row[3])) for row in (await session.execute(query)).all()]


async def content_by_state(session: AsyncSession, scope: TenantScope) -> list[tuple[str, int]]:
    """(review state, items) over the space's content now."""
    query = (
        select(col(ContentItem.state), func.count())
        .where(col(ContentItem.space_id) == scope.space_id)
        .group_by(col(ContentItem.state))
    )
    return [(row[0], int(row[1])) for row in (await session.execute(query)).all()]


async def voice_score_by_day(
    session: AsyncSession, scope: TenantScope, *, window: Window
) -> list[tuple[Any, float, int]]:
    """(UTC day, average brand-voice score, scored versions) of the versions saved in the window, oldest first."""
    day = func.date(func.timezone("UTC", col(ContentVersion.created_at))).label("day")
    query = (
        select(day, func.avg(col(ContentVersion.voice_score)), func.count())
        .where(
            col(ContentVersion.space_id) == scope.space_id,
            col(ContentVersion.created_at) >= window.start,
            col(ContentVersion.created_at) < window.end,
            col(ContentVersion.voice_score).is_not(None),
        )
        .group_by(day)
        .order_by(day)
    )
    return [(row[0], float(row[1]), int(row[2])) for row in (await session.execute(query)).all()]


__all__ = [
    "OUTSIDE_RUNS",
    "Window",
    "content_by_state",
    "document_counts",
    "recent_runs",
    "run_counts",
    "usage_by_agent_and_model",
    "voice_score_by_day",
]
