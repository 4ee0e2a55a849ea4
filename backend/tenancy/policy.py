"""Small rules that member and invitation management share: who may manage a space, which roles exist."""

from __future__ import annotations

from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.errors import Forbidden, ValidationFailed
from backend.tenancy import audit, repository
from backend.tenancy.context import SpaceContext
from backend.tenancy.models import SPACE_ROLES
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


async def acting(session: AsyncSession, ctx: SpaceContext) -> audit.Actor:
    """The caller as the audit log names them."""
    return audit.Actor(ctx.user_id, await repository.email_of(session, user_id=ctx.user_id))


__all__ = ["ADMIN_ONLY", "acting", "check_role", "require_space_admin"]
