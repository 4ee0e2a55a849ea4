"""Small rules that member and invitation management share: who may manage a space, which roles exist."""

from __future__ import annotations

import uuid
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from backend.core.errors import Forbidden, ValidationFailed
from backend.tenancy import audit
from backend.tenancy.context import SpaceContext
from backend.tenancy.models import SPACE_ROLES, User
from backend.tenancy.schemas import SpaceRole

ADMIN_ONLY = "Only space admins can manage members."


def require_space_admin(ctx: SpaceContext) -> None:
    if not ctx.is_admin:
        raise Forbidden(ADMIN_ONLY, code="space_admin_required")


def check_role(role: str) -> SpaceRole:
    """`role` when it is a space role; a clear 422 otherwise."""
    if role not in SPACE_ROLES:
        raise ValidationFailed("The role must be admin, editor or viewer.", code="invalid_role")
    return cast(SpaceRole, role)


async def email_of(session: AsyncSession, user_id: uuid.UUID) -> str | None:
    return (await session.execute(select(User.email).where(User.id == user_id))).scalar_one_or_none()


async def acting(session: AsyncSession, ctx: SpaceContext) -> audit.Actor:
    """The caller as the audit log names them."""
    return audit.Actor(ctx.user_id, await email_of(session, ctx.user_id))


__all__ = ["ADMIN_ONLY", "acting", "check_role", "email_of", "require_space_admin"]
