"""Spaces: organization admins create, rename and archive them; members list the ones they belong to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.db import TenantScope, get_database
from backend.core.errors import Conflict, Forbidden, NotFound
from backend.tenancy import audit, repository
from backend.tenancy.access import forget_context, org_role_of, parse_uuid
from backend.tenancy.accounts import clean_name, list_member_spaces
from backend.tenancy.context import Principal, org_role_at_least
from backend.tenancy.models import Space, SpaceMembership
from backend.tenancy.schemas import AuditEntryPublic

ORG_ADMIN_ONLY = "Only organization admins can manage spaces."


async def _actor(session: AsyncSession, principal: Principal) -> audit.Actor:
    return audit.Actor(principal.user_id, await repository.email_of(session, user_id=principal.user_id))


async def require_org_admin(principal: Principal) -> None:
    role = await org_role_of(principal)
    if role is None or not org_role_at_least(role, "admin"):
        raise Forbidden(ORG_ADMIN_ONLY, code="org_admin_required")


async def list_spaces(principal: Principal) -> list[dict[str, str]]:
    """The caller's active spaces with their role."""
    database = get_database()
    async with database.session(organization_id=principal.organization_id) as session:
        return await list_member_spaces(session, principal.user_id)


async def list_organization_spaces(principal: Principal) -> list[dict[str, Any]]:
    """Every space of the organization with its member count (organization admins only)."""
    database = get_database()
    await require_org_admin(principal)
    async with database.session(organization_id=principal.organization_id) as session:
        rows = await repository.organization_spaces(session, principal.organization_id)
        return [
            {
                "id": str(space.id),
                "name": space.name,
                "members": n,
                "archived": space.archived_at is not None,
                "created_at": space.created_at.isoformat(),
            }
            for space, n in rows
        ]


async def create_space(principal: Principal, *, name: str) -> dict[str, str]:
    """A new space; its creator becomes its admin."""
    name = clean_name(name, what="space name")
    database = get_database()
    await require_org_admin(principal)
    org_id = principal.organization_id
    async with database.session(organization_id=org_id) as session:
        space = Space(organization_id=org_id, name=name)
        session.add(space)
        await session.flush()
        session.add(SpaceMembership(organization_id=org_id, space_id=space.id, user_id=principal.user_id, role="admin"))
        await audit.record(
            session,
            organization_id=org_id,
            actor=await _actor(session, principal),
            action="space.created",
            target=name,
            space_id=space.id,
        )
    return {"id": str(space.id), "name": space.name}


async def _space_for_admin(session: AsyncSession, principal: Principal, space_id: Any) -> Space:
    sid = parse_uuid(space_id)
    space = None
    if sid is not None:
        space = await repository.organization_space(session, principal.organization_id, space_id=sid)
    if space is None:
        raise NotFound("There is no such space in your organization.", code="space_not_found")
    return space


async def rename_space(principal: Principal, space_id: Any, *, name: str) -> dict[str, str]:
    name = clean_name(name, what="space name")
    database = get_database()
    await require_org_admin(principal)
    async with database.session(organization_id=principal.organization_id) as session:
        space = await _space_for_admin(session, principal, space_id)
        old = space.name
        space.name, space.updated_at = name, datetime.now(UTC)
        await audit.record(
            session,
            organization_id=principal.organization_id,
            actor=await _actor(session, principal),
            action="space.renamed",
            target=name,
            space_id=space.id,
            details={"from": old},
        )
        scope = TenantScope(principal.organization_id, space.id)
        members = await repository.member_ids(session, scope)
    await forget_context(scope, *members)
    return {"id": str(space.id), "name": space.name}


async def archive_space(principal: Principal, space_id: Any) -> None:
    """Archive a space: it disappears for its members at once; its data is kept."""
    database = get_database()
    await require_org_admin(principal)
    async with database.session(organization_id=principal.organization_id) as session:
        space = await _space_for_admin(session, principal, space_id)
        if space.archived_at is not None:
            return
        if await repository.count_active_spaces(session, principal.organization_id) <= 1:
            raise Conflict(
                "An organization needs at least one active space; create another one first.", code="last_space"
            )
        space.archived_at = space.updated_at = datetime.now(UTC)
        await audit.record(
            session,
            organization_id=principal.organization_id,
            actor=await _actor(session, principal),
            action="space.archived",
            target=space.name,
            space_id=space.id,
        )
        scope = TenantScope(principal.organization_id, space.id)
        members = await repository.member_ids(session, scope)
    await forget_context(scope, *members)


async def audit_log(principal: Principal, *, limit: int = 100, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """The organization's audit entries, newest first, with the total (organization admins only)."""
    database = get_database()
    await require_org_admin(principal)
    async with database.session(organization_id=principal.organization_id) as session:
        entries, total = await audit.list_entries(
            session, organization_id=principal.organization_id, limit=limit, offset=offset
        )
    return [AuditEntryPublic.of(e).model_dump(mode="json") for e in entries], total
