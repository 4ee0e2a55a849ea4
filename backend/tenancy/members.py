"""Space members and invitations. Every function takes the caller's resolved `SpaceContext` first.

Losing access is immediate: removing a member or lowering a role bumps the user's token generation (their
older tokens are refused on every worker) and drops their cached space context.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import smtplib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from backend.auth.passwords import hash_password, verify_password
from backend.core.config import get_settings
from backend.core.db import Database, get_database
from backend.core.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from backend.tenancy import audit
from backend.tenancy.access import forget_context, parse_uuid, publish_generation
from backend.tenancy.accounts import Session, _issue_for, clean_name, normalise_email
from backend.tenancy.context import SpaceContext, space_role_at_least
from backend.tenancy.models import SPACE_ROLES, Invitation, OrganizationMembership, SpaceMembership, User

logger = logging.getLogger(__name__)
ADMIN_ONLY = "Only space admins can manage members."


class InvitationGone(AppError):
    status_code, code = 410, "invitation_gone"


@dataclass(frozen=True, slots=True)
class InviteResult:
    status: str  # "invited" (a link to pass on) or "added" (already in the organization)
    email: str
    role: str
    invitation_token: str | None = None
    invitation_url: str | None = None
    emailed: bool = False

    def public(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "email": self.email,
            "role": self.role,
            "invitation_token": self.invitation_token,
            "invitation_url": self.invitation_url,
            "emailed": self.emailed,
        }


def _require_admin(ctx: SpaceContext) -> None:
    if not ctx.is_admin:
        raise Forbidden(ADMIN_ONLY, code="space_admin_required")


def _check_role(role: str) -> str:
    if role not in SPACE_ROLES:
        raise ValidationFailed("The role must be admin, editor or viewer.", code="invalid_role")
    return role


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/invite/{token}"


def _actor(ctx: SpaceContext, email: str | None = None) -> audit.Actor:
    return audit.Actor(ctx.user_id, email)


async def _email_of(session: AsyncSession, user_id: uuid.UUID) -> str | None:
    return (await session.execute(select(User.email).where(User.id == user_id))).scalar_one_or_none()


async def list_members(ctx: SpaceContext, *, database: Database | None = None) -> list[dict[str, Any]]:
    """Members of the caller's space (any member may see who else is in it)."""
    database = database or get_database()
    async with database.tenant(ctx.scope) as session:
        rows = await session.execute(
            select(User, SpaceMembership)
            .join(SpaceMembership, col(SpaceMembership.user_id) == User.id)
            .where(SpaceMembership.space_id == ctx.space_id)
            .order_by(col(SpaceMembership.created_at))
        )
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


async def list_invitations(ctx: SpaceContext, *, database: Database | None = None) -> list[dict[str, Any]]:
    """Pending invitations of the caller's space (admins only)."""
    _require_admin(ctx)
    database = database or get_database()
    now = datetime.now(UTC)
    async with database.tenant(ctx.scope) as session:
        rows = (
            await session.execute(
                select(Invitation)
                .where(
                    col(Invitation.space_id) == ctx.space_id,
                    col(Invitation.accepted_at).is_(None),
                    col(Invitation.revoked_at).is_(None),
                    col(Invitation.expires_at) > now,
                )
                .order_by(col(Invitation.created_at).desc())
            )
        ).scalars()
        return [
            {"id": str(i.id), "email": i.email, "role": i.role, "expires_at": i.expires_at.isoformat()} for i in rows
        ]


async def invite(ctx: SpaceContext, *, email: str, role: str, database: Database | None = None) -> InviteResult:
    """Invite `email` with `role`. Someone already in the organization is added at once."""
    _require_admin(ctx)
    email, role = normalise_email(email), _check_role(role)
    database = database or get_database()
    async with database.tenant(ctx.scope) as session:
        actor = _actor(ctx, await _email_of(session, ctx.user_id))
        existing = (await session.execute(select(User).where(func.lower(User.email) == email))).scalar_one_or_none()
        if existing is not None:
            already = (
                await session.execute(
                    select(SpaceMembership).where(
                        col(SpaceMembership.space_id) == ctx.space_id, col(SpaceMembership.user_id) == existing.id
                    )
                )
            ).scalar_one_or_none()
            if already is not None:
                raise Conflict(f"{email} is already a member of this space.", code="already_member")
            session.add(
                SpaceMembership(
                    organization_id=ctx.organization_id, space_id=ctx.space_id, user_id=existing.id, role=role
                )
            )
            await audit.record(
                session,
                organization_id=ctx.organization_id,
                actor=actor,
                action="member.added",
                target=email,
                space_id=ctx.space_id,
                details={"role": role},
            )
            return InviteResult(status="added", email=email, role=role)
        token = secrets.token_urlsafe(32)
        session.add(
            Invitation(
                organization_id=ctx.organization_id,
                space_id=ctx.space_id,
                email=email,
                role=role,
                token_hash=token_hash(token),
                invited_by=ctx.user_id,
                expires_at=datetime.now(UTC) + timedelta(days=get_settings().invitation_ttl_days),
            )
        )
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=actor,
            action="member.invited",
            target=email,
            space_id=ctx.space_id,
            details={"role": role},
        )
    url = invitation_url(token)
    emailed = await _send_invitation(email, url, ctx.space_name)
    return InviteResult(
        status="invited", email=email, role=role, invitation_token=token, invitation_url=url, emailed=emailed
    )


async def _send_invitation(email: str, url: str, space_name: str) -> bool:
    """Mail the link when SMTP is configured; the admin always sees the link as well."""
    settings = get_settings()
    if not settings.smtp_host:
        return False
    message = EmailMessage()
    message["Subject"] = f"You are invited to {space_name} on Obelisk"
    message["From"], message["To"] = settings.smtp_from, email
    message.set_content(f"You have been invited to the space {space_name!r} on Obelisk.\n\nAccept: {url}\n")

    def _send() -> None:
        with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=10) as smtp:
            smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(message)

    try:
        await asyncio.to_thread(_send)
        return True
    except (OSError, smtplib.SMTPException):
        logger.warning("invitation email could not be sent", exc_info=True)
        return False


async def revoke_invitation(ctx: SpaceContext, invitation_id: Any, *, database: Database | None = None) -> None:
    _require_admin(ctx)
    iid = parse_uuid(invitation_id)
    database = database or get_database()
    async with database.tenant(ctx.scope) as session:
        invitation = None
        if iid is not None:
            invitation = (
                await session.execute(
                    select(Invitation).where(Invitation.id == iid, col(Invitation.space_id) == ctx.space_id)
                )
            ).scalar_one_or_none()
        if invitation is None:
            raise NotFound("There is no such invitation in this space.", code="invitation_not_found")
        invitation.revoked_at = datetime.now(UTC)
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=_actor(ctx, await _email_of(session, ctx.user_id)),
            action="invitation.revoked",
            target=invitation.email,
            space_id=ctx.space_id,
        )


async def _membership(session: AsyncSession, ctx: SpaceContext, user_id: Any) -> tuple[SpaceMembership, User]:
    uid = parse_uuid(user_id)
    row = None
    if uid is not None:
        row = (
            await session.execute(
                select(SpaceMembership, User)
                .join(User, col(User.id) == SpaceMembership.user_id)
                .where(SpaceMembership.space_id == ctx.space_id, col(SpaceMembership.user_id) == uid)
                .with_for_update(of=SpaceMembership)
            )
        ).first()
    if row is None:
        raise NotFound("That person is not a member of this space.", code="member_not_found")
    return row[0], row[1]


async def _other_admins(session: AsyncSession, ctx: SpaceContext, user_id: uuid.UUID) -> int:
    return int(
        (
            await session.execute(
                select(func.count())
                .select_from(SpaceMembership)
                .where(
                    col(SpaceMembership.space_id) == ctx.space_id,
                    col(SpaceMembership.role) == "admin",
                    col(SpaceMembership.user_id) != user_id,
                )
            )
        ).scalar_one()
    )


async def _bump_generation(session: AsyncSession, user: User) -> int:
    user.token_generation += 1
    await session.flush()
    return user.token_generation


async def change_role(
    ctx: SpaceContext, user_id: Any, *, role: str, database: Database | None = None
) -> dict[str, str]:
    _require_admin(ctx)
    role = _check_role(role)
    database = database or get_database()
    generation: int | None = None
    async with database.tenant(ctx.scope) as session:
        membership, user = await _membership(session, ctx, user_id)
        old = membership.role
        if old == role:
            return {"user_id": str(user.id), "email": user.email, "role": role}
        if old == "admin" and await _other_admins(session, ctx, user.id) == 0:
            raise Conflict("A space needs at least one admin; make someone else admin first.", code="last_admin")
        membership.role, membership.updated_at = role, datetime.now(UTC)
        if not space_role_at_least(role, old):
            generation = await _bump_generation(session, user)
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=_actor(ctx, await _email_of(session, ctx.user_id)),
            action="member.role_changed",
            target=user.email,
            space_id=ctx.space_id,
            details={"from": old, "to": role},
        )
    if generation is not None:
        await publish_generation(user.id, generation)
    await forget_context(ctx.scope, user.id)
    return {"user_id": str(user.id), "email": user.email, "role": role}


async def remove_member(ctx: SpaceContext, user_id: Any, *, database: Database | None = None) -> None:
    _require_admin(ctx)
    database = database or get_database()
    async with database.tenant(ctx.scope) as session:
        membership, user = await _membership(session, ctx, user_id)
        if membership.role == "admin" and await _other_admins(session, ctx, user.id) == 0:
            raise Conflict("A space needs at least one admin; make someone else admin first.", code="last_admin")
        await session.delete(membership)
        generation = await _bump_generation(session, user)
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=_actor(ctx, await _email_of(session, ctx.user_id)),
            action="member.removed",
            target=user.email,
            space_id=ctx.space_id,
            details={"role": membership.role},
        )
    await publish_generation(user.id, generation)
    await forget_context(ctx.scope, user.id)


async def describe_invitation(token: str, *, database: Database | None = None) -> dict[str, Any]:
    """What the acceptance page shows before the invitee commits: the email and whether it is usable."""
    row = await _lookup(token, database or get_database())
    return {"email": row["email"], "role": row["role"], "expires_at": row["expires_at"].isoformat()}


async def _lookup(token: str, database: Database) -> Any:
    if not token or len(token) > 200:
        raise NotFound("This invitation link is not valid.", code="invitation_not_found")
    async with database.session() as session:
        row = (
            (await session.execute(text("SELECT * FROM obelisk_invitation_lookup(:h)"), {"h": token_hash(token)}))
            .mappings()
            .first()
        )
    if row is None:
        raise NotFound("This invitation link is not valid.", code="invitation_not_found")
    if row["accepted_at"] is not None:
        raise InvitationGone("This invitation has already been accepted. Sign in instead.")
    if row["revoked_at"] is not None:
        raise InvitationGone("This invitation was withdrawn. Ask your admin for a new one.")
    if row["expires_at"] <= datetime.now(UTC):
        raise InvitationGone("This invitation has expired. Ask your admin for a new one.")
    return row


async def accept_invitation(token: str, *, name: str, password: str, database: Database | None = None) -> Session:
    """Join the invited space: a new account with `name` and `password`, or, for someone already in the
    organization, their existing account after checking its password."""
    database = database or get_database()
    row = await _lookup(token, database)
    org_id, space_id = row["organization_id"], row["space_id"]
    try:
        async with database.session(organization_id=org_id) as session:
            invitation = (
                await session.execute(select(Invitation).where(Invitation.id == row["invitation_id"]).with_for_update())
            ).scalar_one()
            if invitation.accepted_at is not None:
                raise InvitationGone("This invitation has already been accepted. Sign in instead.")
            user = (
                await session.execute(select(User).where(func.lower(User.email) == invitation.email.lower()))
            ).scalar_one_or_none()
            if user is not None:
                if not await verify_password(user.password_hash, password):
                    raise ValidationFailed(
                        "You already have an account: enter its current password to accept.", code="wrong_password"
                    )
            else:
                user = User(
                    organization_id=org_id,
                    email=invitation.email,
                    name=clean_name(name, what="name"),
                    password_hash=await hash_password(password),
                )
                session.add(user)
                await session.flush()
                session.add(OrganizationMembership(organization_id=org_id, user_id=user.id, role="member"))
            existing = (
                await session.execute(
                    select(SpaceMembership).where(
                        col(SpaceMembership.space_id) == space_id, col(SpaceMembership.user_id) == user.id
                    )
                )
            ).scalar_one_or_none()
            if existing is None:
                session.add(
                    SpaceMembership(organization_id=org_id, space_id=space_id, user_id=user.id, role=invitation.role)
                )
            invitation.accepted_at, invitation.accepted_by = datetime.now(UTC), user.id
            await session.flush()
            await audit.record(
                session,
                organization_id=org_id,
                actor=audit.Actor(user.id, user.email),
                action="member.joined",
                target=user.email,
                space_id=space_id,
                details={"role": invitation.role},
            )
            return await _issue_for(session, user, space_id)
    except IntegrityError as exc:
        raise Conflict(
            "An account with this email already exists in another organization.", code="email_taken"
        ) from exc
