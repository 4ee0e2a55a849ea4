"""Invitations to a space: issue (and email) a link, list and withdraw pending ones, describe and accept one.

An invitation token is shown once to the admin; only its sha256 is stored, and the lookup before acceptance
goes through a security-definer function, because the invitee is not yet a member of any space that
row-level security would let them read. With SMTP configured, the e-mail carries a second token that only
the mailbox sees: accepting with it proves the address (`tenancy.verification`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from backend.auth import throttle
from backend.auth.passwords import hash_password, verify_password
from backend.core.config import get_settings
from backend.core.db import TenantScope, get_database
from backend.core.errors import AppError, Conflict, NotFound, ValidationFailed
from backend.core.mail import send_mail
from backend.tenancy import audit, repository, verification
from backend.tenancy.access import parse_uuid
from backend.tenancy.accounts import SignIn, clean_name, issue_sign_in, normalize_email
from backend.tenancy.context import SpaceContext
from backend.tenancy.models import Invitation, OrganizationMembership, SpaceMembership, User
from backend.tenancy.policy import acting, check_role, require_space_admin
from backend.tenancy.schemas import InviteOutcome


class InvitationGone(AppError):
    status_code, code = 410, "invitation_gone"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/invite/{token}"


async def list_invitations(ctx: SpaceContext) -> list[dict[str, Any]]:
    """Pending invitations of the caller's space (admins only)."""
    require_space_admin(ctx)
    async with get_database().tenant(ctx.scope) as session:
        rows = await repository.pending_invitations(session, ctx.scope, now=datetime.now(UTC))
        return [
            {"id": str(i.id), "email": i.email, "role": i.role, "expires_at": i.expires_at.isoformat()} for i in rows
        ]


async def invite(ctx: SpaceContext, *, email: str, role: str) -> InviteOutcome:
    """Invite `email` with `role`. Someone already in the organization is added at once."""
    require_space_admin(ctx)
    email, role = normalize_email(email), check_role(role)
    database = get_database()
    async with database.tenant(ctx.scope) as session:
        actor = await acting(session, ctx)
        existing = await repository.user_by_email(session, email=email)
        if existing is not None:
            if await repository.membership(session, ctx.scope, user_id=existing.id) is not None:
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
            return InviteOutcome(status="added", email=email, role=role)
        token = secrets.token_urlsafe(32)
        mailed_token = secrets.token_urlsafe(32) if verification.mail_enabled() else None
        session.add(
            Invitation(
                organization_id=ctx.organization_id,
                space_id=ctx.space_id,
                email=email,
                role=role,
                token_hash=token_hash(token),
                mailed_token_hash=token_hash(mailed_token) if mailed_token else None,
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
    emailed = bool(mailed_token) and await _send_invitation(email, invitation_url(mailed_token or ""), ctx.space_name)
    return InviteOutcome(
        status="invited", email=email, role=role, invitation_token=token, invitation_url=url, emailed=emailed
    )


async def _send_invitation(email: str, url: str, space_name: str) -> bool:
    """Mail the link with the mailed token; the admin always sees a link as well (with the other token)."""
    return await send_mail(
        to=email,
        subject=f"You are invited to {space_name} on Obelisk",
        body=f"You have been invited to the space {space_name!r} on Obelisk.\n\nAccept: {url}\n",
    )


async def revoke_invitation(ctx: SpaceContext, invitation_id: Any) -> None:
    require_space_admin(ctx)
    iid = parse_uuid(invitation_id)
    database = get_database()
    async with database.tenant(ctx.scope) as session:
        invitation = None
        if iid is not None:
            invitation = await repository.get_invitation(session, ctx.scope, invitation_id=iid)
        if invitation is None:
            raise NotFound("There is no such invitation in this space.", code="invitation_not_found")
        invitation.revoked_at = datetime.now(UTC)
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=await acting(session, ctx),
            action="invitation.revoked",
            target=invitation.email,
            space_id=ctx.space_id,
        )


async def describe_invitation(token: str) -> dict[str, Any]:
    """What the acceptance page shows before the invitee commits: the email and whether it is usable."""
    row = await _lookup(token)
    return {"email": row["email"], "role": row["role"], "expires_at": row["expires_at"].isoformat()}


async def _lookup(token: str) -> Any:
    database = get_database()
    if not token or len(token) > 200:
        raise NotFound("This invitation link is not valid.", code="invitation_not_found")
    async with database.session() as session:
        row = await repository.invitation_lookup(session, token_hash=token_hash(token))
    if row is None:
        raise NotFound("This invitation link is not valid.", code="invitation_not_found")
    if row["accepted_at"] is not None:
        raise InvitationGone("This invitation has already been accepted. Sign in instead.")
    if row["revoked_at"] is not None:
        raise InvitationGone("This invitation was withdrawn. Ask your admin for a new one.")
    if row["expires_at"] <= datetime.now(UTC):
        raise InvitationGone("This invitation has expired. Ask your admin for a new one.")
    return row


async def accept_invitation(token: str, *, name: str, password: str, client: str = "") -> SignIn:
    """Join the invited space: a new account with `name` and `password`, or, for someone already in the
    organization, their existing account after checking its password.

    Throttled exactly like log-in (per account and client, and per client): whoever holds the link could
    otherwise try passwords of an existing account without limit."""
    row = await _lookup(token)
    attempt = await throttle.admit_login_attempt(row["email"], client)
    sign_in, released, verification_token = await _accept(
        row, name=name, password=password, mailed_token_hash=token_hash(token) if row["proves_address"] else None
    )
    await throttle.attempt_succeeded(attempt)
    await verification.after_release(released)
    await verification.send_verification(row["email"], verification_token)
    return sign_in


async def _accept(
    row: Any, *, name: str, password: str, mailed_token_hash: str | None
) -> tuple[SignIn, Any, str | None]:
    """Accept in one transaction; also what was released (see `verification`) and a verification token to mail.

    `mailed_token_hash` is set when the link came from the invitation's e-mail, which proves the address."""
    database = get_database()
    org_id, space_id = row["organization_id"], row["space_id"]
    now = datetime.now(UTC)
    released, verification_token = None, None
    try:
        async with database.session(organization_id=org_id) as session:
            invitation = await repository.lock_invitation(session, org_id, invitation_id=row["invitation_id"])
            if invitation.accepted_at is not None:
                raise InvitationGone("This invitation has already been accepted. Sign in instead.")
            user = await repository.user_by_email(session, email=invitation.email)
            if user is not None:
                if not await verify_password(user.password_hash, password):
                    raise ValidationFailed(
                        "You already have an account: enter its current password to accept.", code="wrong_password"
                    )
                if mailed_token_hash and user.email_verified_at is None:
                    user.email_verified_at = now
            else:
                if mailed_token_hash:
                    # Before the insert: an unverified account elsewhere holding the address gives it up.
                    released = await verification.release_for_invitation(session, mailed_token_hash=mailed_token_hash)
                user = User(
                    organization_id=org_id,
                    email=invitation.email,
                    name=clean_name(name, what="name"),
                    password_hash=await hash_password(password),
                    email_verified_at=now if mailed_token_hash else None,
                )
                verification_token = verification.start_verification(user)
                session.add(user)
                await session.flush()
                session.add(OrganizationMembership(organization_id=org_id, user_id=user.id, role="member"))
            scope = TenantScope(org_id, space_id)
            if await repository.membership(session, scope, user_id=user.id) is None:
                session.add(
                    SpaceMembership(organization_id=org_id, space_id=space_id, user_id=user.id, role=invitation.role)
                )
            invitation.accepted_at, invitation.accepted_by = now, user.id
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
            sign_in = await issue_sign_in(session, user, space_id)
    except IntegrityError as exc:
        # The address belongs to an account elsewhere that keeps it. Not said in so many words: whoever holds
        # the admin's copy of the link would otherwise learn that the address has an account.
        raise Conflict(
            "This invitation cannot be accepted. Ask whoever invited you to check the address it was sent to.",
            code="invitation_unusable",
        ) from exc
    return sign_in, released, verification_token


__all__ = [
    "InvitationGone",
    "accept_invitation",
    "describe_invitation",
    "invitation_url",
    "invite",
    "list_invitations",
    "revoke_invitation",
    "token_hash",
]
