"""SQL of the Slack domain. Keyword-only; `session, scope` first; every query filters by the scope's space
(and organization), with row-level security as the second wall."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.core.db import TenantScope
from backend.slack.models import SlackConnection, SlackReview


async def get_connection(session: AsyncSession, scope: TenantScope) -> SlackConnection | None:
    query = select(SlackConnection).where(
        col(SlackConnection.space_id) == scope.space_id,
        col(SlackConnection.organization_id) == scope.organization_id,
    )
    return (await session.execute(query)).scalar_one_or_none()


async def save_connection(session: AsyncSession, scope: TenantScope, *, fields: dict[str, Any]) -> SlackConnection:
    """Create or replace the space's connection with `fields`."""
    row = await get_connection(session, scope)
    if row is None:
        row = SlackConnection(organization_id=scope.organization_id, space_id=scope.space_id, **fields)
        session.add(row)
    else:
        for name, value in fields.items():
            setattr(row, name, value)
    await session.flush()
    return row


async def delete_connection(session: AsyncSession, scope: TenantScope) -> bool:
    result: Any = await session.execute(
        delete(SlackConnection).where(
            col(SlackConnection.space_id) == scope.space_id,
            col(SlackConnection.organization_id) == scope.organization_id,
        )
    )
    return bool(result.rowcount)


async def add_review(session: AsyncSession, scope: TenantScope, *, fields: dict[str, Any]) -> SlackReview:
    row = SlackReview(organization_id=scope.organization_id, space_id=scope.space_id, **fields)
    session.add(row)
    await session.flush()
    return row


async def review_at(
    session: AsyncSession, scope: TenantScope, *, channel: str, ts: str, lock: bool = False
) -> SlackReview | None:
    """The review whose message is at `channel` / `ts` in this space (locked for a decision when asked)."""
    query = select(SlackReview).where(
        col(SlackReview.space_id) == scope.space_id,
        col(SlackReview.organization_id) == scope.organization_id,
        col(SlackReview.channel) == channel,
        col(SlackReview.ts) == ts,
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def get_review(
    session: AsyncSession, scope: TenantScope, *, review_id: uuid.UUID, lock: bool = False
) -> SlackReview | None:
    query = select(SlackReview).where(
        col(SlackReview.space_id) == scope.space_id,
        col(SlackReview.organization_id) == scope.organization_id,
        col(SlackReview.id) == review_id,
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def item_reviews(session: AsyncSession, scope: TenantScope, *, item_id: uuid.UUID) -> list[SlackReview]:
    """The item's review messages, newest first."""
    query = (
        select(SlackReview)
        .where(col(SlackReview.space_id) == scope.space_id, col(SlackReview.content_item_id) == item_id)
        .order_by(col(SlackReview.created_at).desc())
    )
    return list((await session.execute(query)).scalars().all())


async def reviews_due(session: AsyncSession, scope: TenantScope, *, cutoff: datetime) -> list[SlackReview]:
    """Pending reviews of the space posted before `cutoff` and not reminded since (locked: one reminder each)."""
    query = (
        select(SlackReview)
        .where(
            col(SlackReview.space_id) == scope.space_id,
            col(SlackReview.status) == "pending",
            col(SlackReview.created_at) < cutoff,
            (col(SlackReview.reminded_at).is_(None)) | (col(SlackReview.reminded_at) < cutoff),
        )
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).scalars().all())


async def spaces_due(session: AsyncSession, *, cutoff: datetime) -> list[TenantScope]:
    """Spaces with a review waiting since before `cutoff`: the one cross-space read (ids only, see 0010_slack)."""
    rows = await session.execute(text("SELECT * FROM obelisk_slack_spaces_due(:cutoff)"), {"cutoff": cutoff})
    return [TenantScope(organization_id=org, space_id=space) for org, space in rows.all()]


__all__ = [
    "add_review",
    "delete_connection",
    "get_connection",
    "get_review",
    "item_reviews",
    "review_at",
    "reviews_due",
    "save_connection",
    "spaces_due",
]
