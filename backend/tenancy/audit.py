"""The audit log of administrative actions: who did what, when, under which correlation id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from backend.core.logging import correlation_id_var
from backend.tenancy.models import AuditEntry


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performed an action (None for the system, e.g. scheduled key rotation)."""

    user_id: uuid.UUID | None
    email: str | None


async def record(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID | None,
    actor: Actor | None,
    action: str,
    target: str | None = None,
    space_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry in the caller's transaction, so it commits (or not) with the action itself."""
    entry = AuditEntry(
        organization_id=organization_id,
        space_id=space_id,
        actor_user_id=actor.user_id if actor else None,
        actor_email=actor.email if actor else None,
        action=action,
        target=target,
        details=details or {},
        correlation_id=correlation_id_var.get(),
    )
    session.add(entry)
    await session.flush()
    return entry


async def list_entries(
    session: AsyncSession, *, organization_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    """The organization's entries plus system-wide ones, newest first, and the total count."""
    visible = or_(col(AuditEntry.organization_id) == organization_id, col(AuditEntry.organization_id).is_(None))
    total = (await session.execute(select(func.count()).select_from(AuditEntry).where(visible))).scalar_one()
    rows = (
        await session.execute(
            select(AuditEntry)
            .where(visible)
            .order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id))
            .limit(limit)
            .offset(offset)
        )
    ).scalars()
    return list(rows), int(total)
