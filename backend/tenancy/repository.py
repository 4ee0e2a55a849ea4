"""SQL for spaces, space members and invitations. Keyword-only, `session, scope` first (or `session,
organization_id` for what belongs to the organization); every statement filters by it, with row-level
security as the second wall. Policy (who may, what is allowed) is in the services: `spaces.py`, `members.py`,
`invitations.py`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from backend.core.db import TenantScope
from backend.tenancy.models import Invitation, Organization, OrganizationMembership, Space, SpaceMembership, User


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


async def organization_spaces(session: AsyncSession, organization_id: uuid.UUID) -> list[tuple[Space, int]]:
    """Every space of the organization with its member count, active ones first, oldest first."""
    members = (
        select(SpaceMembership.space_id, func.count().label("n")).group_by(col(SpaceMembership.space_id)).subquery()
    )
    rows = await session.execute(
        select(Space, members.c.n)
        .outerjoin(members, members.c.space_id == Space.id)
        .where(Space.organization_id == organization_id)
        .order_by(col(Space.archived_at).is_not(None), col(Space.created_at))
    )
    return [(space, int(n or 0)) for space, n in rows]


async def organization_space(session: AsyncSession, organization_id: uuid.UUID, *, space_id: uuid.UUID) -> Space | None:
    statement = select(Space).where(Space.id == space_id, col(Space.organization_id) == organization_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def count_active_spaces(session: AsyncSession, organization_id: uuid.UUID) -> int:
    statement = (
        select(func.count())
        .select_from(Space)
        .where(col(Space.organization_id) == organization_id, col(Space.archived_at).is_(None))
    )
    return int((await session.execute(statement)).scalar_one())


async def brand_voices(session: AsyncSession, scope: TenantScope) -> tuple[dict[str, Any], dict[str, Any]]:
    """The organization's brand voice and the space's overrides, as stored."""
    org_voice = (
        await session.execute(select(Organization.brand_voice).where(Organization.id == scope.organization_id))
    ).scalar_one()
    space_voice = (
        await session.execute(
            select(Space.brand_voice).where(
                Space.id == scope.space_id, col(Space.organization_id) == scope.organization_id
            )
        )
    ).scalar_one()
    return org_voice or {}, space_voice or {}


async def lock_space(session: AsyncSession, scope: TenantScope) -> Space:
    statement = (
        select(Space)
        .where(Space.id == scope.space_id, col(Space.organization_id) == scope.organization_id)
        .with_for_update()
    )
    return (await session.execute(statement)).scalar_one()


async def lock_organization(session: AsyncSession, organization_id: uuid.UUID) -> Organization:
    statement = select(Organization).where(Organization.id == organization_id).with_for_update()
    return (await session.execute(statement)).scalar_one()


async def organization_memberships(
    session: AsyncSession, organization_id: uuid.UUID
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(space id, user id) of every space membership in the organization."""
    statement = select(SpaceMembership.space_id, SpaceMembership.user_id).where(
        col(SpaceMembership.organization_id) == organization_id
    )
    return [(space_id, user_id) for space_id, user_id in await session.execute(statement)]


async def get_user(session: AsyncSession, *, user_id: uuid.UUID, lock: bool = False) -> User | None:
    query = select(User).where(User.id == user_id)
    return (await session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()


async def login_lookup(session: AsyncSession, *, email: str) -> Any:
    """The account row a log-in checks (user, organization, password hash, disabled), or None.

    Through a security-definer function: before the log-in, the caller belongs to no organization that
    row-level security would let the session read.
    """
    result = await session.execute(text("SELECT * FROM obelisk_login_lookup(:email)"), {"email": email})
    return result.mappings().first()


async def organization_role(session: AsyncSession, organization_id: uuid.UUID, *, user_id: uuid.UUID) -> str | None:
    statement = select(OrganizationMembership.role).where(
        col(OrganizationMembership.organization_id) == organization_id,
        col(OrganizationMembership.user_id) == user_id,
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def active_space_roles(session: AsyncSession, *, user_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """(space id, role) of the user's memberships in spaces that are not archived."""
    statement = (
        select(SpaceMembership.space_id, SpaceMembership.role)
        .join(Space, col(Space.id) == SpaceMembership.space_id)
        .where(SpaceMembership.user_id == user_id, col(Space.archived_at).is_(None))
    )
    return [(space_id, role) for space_id, role in await session.execute(statement)]


async def member_spaces(session: AsyncSession, *, user_id: uuid.UUID) -> list[tuple[uuid.UUID, str, str]]:
    """(id, name, role) of the active spaces the user is a member of, oldest first."""
    statement = (
        select(Space.id, Space.name, SpaceMembership.role)
        .join(SpaceMembership, col(SpaceMembership.space_id) == Space.id)
        .where(SpaceMembership.user_id == user_id, col(Space.archived_at).is_(None))
        .order_by(col(Space.created_at), col(Space.name))
    )
    return [(space_id, name, role) for space_id, name, role in await session.execute(statement)]


async def invitation_lookup(session: AsyncSession, *, token_hash: str) -> Any:
    """The invitation a token names (with its state), or None; through a security-definer function, because
    the invitee belongs to no organization yet."""
    result = await session.execute(text("SELECT * FROM obelisk_invitation_lookup(:h)"), {"h": token_hash})
    return result.mappings().first()


async def verify_email(session: AsyncSession, *, token_hash: str) -> Any:
    """Mark the address of the account whose live verification token this is as verified; its (user_id,
    organization_id), or None. Through a security-definer function: the link is opened without a session."""
    result = await session.execute(text("SELECT * FROM obelisk_verify_email(:h)"), {"h": token_hash})
    return result.mappings().first()


async def release_unverified_email(session: AsyncSession, *, mailed_token_hash: str) -> Any:
    """Take the invited address from an unverified account in another organization, while a pending invitation
    carries this mailed token; that account's (user_id, organization_id, token_generation, email), or None.
    Through a security-definer function: the account is in an organization the session cannot see."""
    result = await session.execute(
        text("SELECT * FROM obelisk_release_unverified_email(:h)"), {"h": mailed_token_hash}
    )
    return result.mappings().first()


async def lock_invitation(session: AsyncSession, organization_id: uuid.UUID, *, invitation_id: uuid.UUID) -> Invitation:
    statement = (
        select(Invitation)
        .where(Invitation.id == invitation_id, col(Invitation.organization_id) == organization_id)
        .with_for_update()
    )
    return (await session.execute(statement)).scalar_one()


async def active_membership(
    session: AsyncSession, scope: TenantScope, *, user_id: uuid.UUID
) -> tuple[Space, str, dict[str, Any]] | None:
    """The space (not archived), the user's role in it and the organization's brand voice; None if not a member."""
    row = (
        await session.execute(
            select(Space, SpaceMembership.role, Organization.brand_voice)
            .join(SpaceMembership, col(SpaceMembership.space_id) == Space.id)
            .join(Organization, col(Organization.id) == Space.organization_id)
            .where(
                col(Space.id) == scope.space_id,
                col(Space.organization_id) == scope.organization_id,
                col(Space.archived_at).is_(None),
                col(SpaceMembership.user_id) == user_id,
            )
        )
    ).first()
    return (row[0], row[1], row[2]) if row is not None else None


__all__ = [
    "active_membership",
    "active_space_roles",
    "brand_voices",
    "count_active_spaces",
    "count_other_admins",
    "email_of",
    "get_invitation",
    "get_user",
    "invitation_lookup",
    "list_members",
    "lock_invitation",
    "lock_membership",
    "lock_organization",
    "lock_space",
    "login_lookup",
    "member_ids",
    "member_spaces",
    "membership",
    "organization_memberships",
    "organization_role",
    "organization_space",
    "organization_spaces",
    "pending_invitations",
    "user_by_email",
]
