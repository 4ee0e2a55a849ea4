"""SQL for space members and invitations. Keyword-only, `session, scope` first; every statement filters by
the scope's space (row-level security is the second wall). Policy (who may, what is allowed) is in the
services: `members.py`, `invitations.py`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from backend.core.db import TenantScope
from backend.tenancy.models import Invitation, SpaceMembership, User


async def email_of(session: AsyncSession, *, user_id: uuid.UUID) -> str | None:
    return (await session.execute(select(User.email).where(User.id == user_id))).scalar_one_or_none()


async def user_by_email(session: AsyncSession, *, email: str) -> User | None:
    """The account with this email (case-insensitive) visible to the session's organization."""
    statement = select(User).where(func.lower(User.email) == email.lower())
    return (await session.execute(statement)).scalar_one_or_none()


async def list_members(session: AsyncSession, scope: TenantScope) -> list[tuple[User, SpaceMembership]]:
    """The space's members with their membership, in the order they joined."""
    rows = await session.execute(
        select(User, SpaceMembership)
        .join(SpaceMembership, col(SpaceMembership.user_id) == User.id)
        .where(SpaceMembership.space_id == scope.space_id)
        .order_by(col(SpaceMembership.created_at))
    )
    return [(user, membership) for user, membership in rows]


async def member_ids(session: AsyncSession, scope: TenantScope) -> list[uuid.UUID]:
    statement = select(SpaceMembership.user_id).where(SpaceMembership.space_id == scope.space_id)
    return list((await session.execute(statement)).scalars())


async def membership(session: AsyncSession, scope: TenantScope, *, user_id: uuid.UUID) -> SpaceMembership | None:
    statement = select(SpaceMembership).where(
        col(SpaceMembership.space_id) == scope.space_id, col(SpaceMembership.user_id) == user_id
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def lock_membership(
    session: AsyncSession, scope: TenantScope, *, user_id: uuid.UUID
) -> tuple[SpaceMembership, User] | None:
    """The membership (locked until the transaction ends) and its user."""
    row = (
        await session.execute(
            select(SpaceMembership, User)
            .join(User, col(User.id) == SpaceMembership.user_id)
            .where(SpaceMembership.space_id == scope.space_id, col(SpaceMembership.user_id) == user_id)
            .with_for_update(of=SpaceMembership)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def count_other_admins(session: AsyncSession, scope: TenantScope, *, user_id: uuid.UUID) -> int:
    statement = (
        select(func.count())
        .select_from(SpaceMembership)
        .where(
            col(SpaceMembership.space_id) == scope.space_id,
            col(SpaceMembership.role) == "admin",
            col(SpaceMembership.user_id) != user_id,
        )
    )
    return int((await session.execute(statement)).scalar_one())


async def pending_invitations(session: AsyncSession, scope: TenantScope, *, now: datetime) -> list[Invitation]:
    """Invitations of the space neither accepted, withdrawn nor expired, newest first."""
    statement = (
        select(Invitation)
        .where(
            col(Invitation.space_id) == scope.space_id,
            col(Invitation.accepted_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) > now,
        )
        .order_by(col(Invitation.created_at).desc())
    )
    return list((await session.execute(statement)).scalars())


async def get_invitation(session: AsyncSession, scope: TenantScope, *, invitation_id: uuid.UUID) -> Invitation | None:
    statement = select(Invitation).where(Invitation.id == invitation_id, col(Invitation.space_id) == scope.space_id)
    return (await session.execute(statement)).scalar_one_or_none()


__all__ = [
    "count_other_admins",
    "email_of",
    "get_invitation",
    "list_members",
    "lock_membership",
    "member_ids",
    "membership",
    "pending_invitations",
    "user_by_email",
]
