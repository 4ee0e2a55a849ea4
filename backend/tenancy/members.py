"""Space members: list them, change a member's role, remove a member. Every function takes the caller's
resolved `SpaceContext` first. Invitations live in `invitations.py`.

Losing access is immediate: removing a member or lowering a role bumps the user's token generation (their
older tokens are refused on every worker) and drops their cached space context.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.db import get_database
from backend.core.errors import Conflict, NotFound
from backend.tenancy import audit, repository
from backend.tenancy.access import forget_context, parse_uuid, publish_generation
from backend.tenancy.context import SpaceContext, space_role_at_least
from backend.tenancy.invitations import (
    accept_invitation,
    describe_invitation,
    invite,
    list_invitations,
    revoke_invitation,
)
from backend.tenancy.models import SpaceMembership, User
from backend.tenancy.policy import acting, check_role, require_space_admin


async def list_members(ctx: SpaceContext) -> list[dict[str, Any]]:
    """Members of the caller's space (any member may see who else is in it)."""
    async with get_database().tenant(ctx.scope) as session:
        rows = await repository.list_members(session, ctx.scope)
        return [
            {
                "user_id": str(user.id),
                "email": user.email,
                "name": user.name,
                "role": membership.role,
                "joined_at": membership.created_at.isoformat(),
            }
            for user, membership in rows
        ]


async def _membership(session: AsyncSession, ctx: SpaceContext, user_id: Any) -> tuple[SpaceMembership, User]:
    uid = parse_uuid(user_id)
    row = await repository.lock_membership(session, ctx.scope, user_id=uid) if uid is not None else None
    if row is None:
        raise NotFound("That person is not a member of this space.", code="member_not_found")
    return row


async def _bump_generation(session: AsyncSession, user: User) -> int:
    user.token_generation += 1
    await session.flush()
    return user.token_generation


async def change_role(ctx: SpaceContext, user_id: Any, *, role: str) -> dict[str, str]:
    require_space_admin(ctx)
    role = check_role(role)
    database = get_database()
    generation: int | None = None
    async with database.tenant(ctx.scope) as session:
        membership, user = await _membership(session, ctx, user_id)
        old = membership.role
        if old == role:
            return {"user_id": str(user.id), "email": user.email, "role": role}
        if old == "admin" and await repository.count_other_admins(session, ctx.scope, user_id=user.id) == 0:
            raise Conflict("A space needs at least one admin; make someone else admin first.", code="last_admin")
        membership.role, membership.updated_at = role, datetime.now(UTC)
        if not space_role_at_least(role, old):
            generation = await _bump_generation(session, user)
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=await acting(session, ctx),
            action="member.role_changed",
            target=user.email,
            space_id=ctx.space_id,
            details={"from": old, "to": role},
        )
    if generation is not None:
        await publish_generation(user.id, generation)
    await forget_context(ctx.scope, user.id)
    return {"user_id": str(user.id), "email": user.email, "role": role}


async def remove_member(ctx: SpaceContext, user_id: Any) -> None:
    require_space_admin(ctx)
    database = get_database()
    async with database.tenant(ctx.scope) as session:
        membership, user = await _membership(session, ctx, user_id)
        if membership.role == "admin" and await repository.count_other_admins(session, ctx.scope, user_id=user.id) == 0:
            raise Conflict("A space needs at least one admin; make someone else admin first.", code="last_admin")
        await session.delete(membership)
        generation = await _bump_generation(session, user)
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=await acting(session, ctx),
            action="member.removed",
            target=user.email,
            space_id=ctx.space_id,
            details={"role": membership.role},
        )
    await publish_generation(user.id, generation)
    await forget_context(ctx.scope, user.id)


# The invitation functions are re-exported until obelisk_app imports them from `invitations` (pages/members.py,
# pages/invite.py).
__all__ = [
    "accept_invitation",
    "change_role",
    "describe_invitation",
    "invite",
    "list_invitations",
    "list_members",
    "remove_member",
    "revoke_invitation",
]
