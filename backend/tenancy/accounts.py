"""Sign-up, log-in, log-out, and the access token a user's memberships are written into."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth import throttle
from backend.auth.keys import refresh_keyring_if_stale
from backend.auth.passwords import burn_verification_time, hash_password, needs_rehash, verify_password
from backend.auth.revocation import revoke
from backend.auth.tokens import issue_access_token
from backend.core.config import get_settings
from backend.core.db import get_database
from backend.core.errors import Conflict, Unauthorized, ValidationFailed
from backend.tenancy import audit, repository, verification
from backend.tenancy.context import Principal, org_role_at_least
from backend.tenancy.models import Organization, OrganizationMembership, Space, SpaceMembership, User

logger = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
BAD_CREDENTIALS = "The email or password is incorrect."


@dataclass(frozen=True, slots=True)
class SignIn:
    """What a successful sign-up, log-in or invitation acceptance hands back (its API shape: `SignInPublic`).

    Named so that "session" means a database session everywhere in the backend.
    """

    user_id: uuid.UUID
    organization_id: uuid.UUID
    access_token: str
    expires_at: datetime
    space_id: uuid.UUID | None = None



def normalize_email(email: str) -> str:
    """Trimmed, lower-cased, and plausibly an address; a clear 422 otherwise."""
    value = (email or "").strip().lower()
    if len(value) > 320 or not _EMAIL.match(value):
        raise ValidationFailed("Enter a valid email address, like name@company.com.", code="invalid_email")
    return value


def clean_name(value: str, *, what: str, max_length: int = 200) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise ValidationFailed(f"The {what} cannot be empty.", code="invalid_name")
    if len(cleaned) > max_length:
        raise ValidationFailed(f"The {what} can be at most {max_length} characters.", code="invalid_name")
    return cleaned


async def token_claims(session: AsyncSession, user: User) -> dict[str, Any]:
    """Claims for `user`: organization, spaces with roles, permissions and the token generation."""
    org_role = await repository.organization_role(session, user.organization_id, user_id=user.id) or "member"
    spaces = {str(space_id): role for space_id, role in await repository.active_space_roles(session, user_id=user.id)}
    permissions = ["spaces:read"]
    if org_role_at_least(org_role, "admin"):
        permissions += ["spaces:manage", "audit:read"]
    return {
        "org_id": str(user.organization_id),
        "org_role": org_role,
        "spaces": spaces,
        "permissions": permissions,
        "gen": user.token_generation,
        "email": user.email,
        "name": user.name,
    }


async def issue_sign_in(session: AsyncSession, user: User, space_id: uuid.UUID | None = None) -> SignIn:
    """Sign `user` in: a fresh access token carrying their memberships as of `session`'s transaction."""
    await session.flush()
    claims = await token_claims(session, user)
    await refresh_keyring_if_stale(get_database())
    issued = issue_access_token(subject=str(user.id), claims=claims)
    return SignIn(
        user_id=user.id,
        organization_id=user.organization_id,
        access_token=issued.token,
        expires_at=issued.expires_at,
        space_id=space_id,
    )


async def sign_up(*, email: str, password: str, name: str, organization_name: str, client: str = "") -> SignIn:
    """Create an organization, its first space and the user as owner; return a signed-in session.

    With SMTP configured a link to verify the address is mailed; until it is opened, an invitation mailed to
    the address can take it (`tenancy.verification`). Sign-ups that fail are counted per `client` address
    (`throttle.admit_sign_up`): "this address already has an account" can be learnt for a few addresses only."""
    email = normalize_email(email)
    name = clean_name(name, what="name")
    organization_name = clean_name(organization_name, what="organization name")
    attempt = await throttle.admit_sign_up(client)
    password_hash = await hash_password(password)
    database = get_database()
    org_id = uuid.uuid4()
    try:
        async with database.session(organization_id=org_id) as session:
            session.add(Organization(id=org_id, name=organization_name))
            await session.flush()
            user = User(organization_id=org_id, email=email, name=name, password_hash=password_hash)
            verification_token = verification.start_verification(user)
            space = Space(organization_id=org_id, name="General")
            session.add_all([user, space])
            await session.flush()
            session.add_all(
                [
                    OrganizationMembership(organization_id=org_id, user_id=user.id, role="owner"),
                    SpaceMembership(organization_id=org_id, space_id=space.id, user_id=user.id, role="admin"),
                ]
            )
            actor = audit.Actor(user.id, email)
            await audit.record(
                session, organization_id=org_id, actor=actor, action="organization.created", target=organization_name
            )
            await audit.record(
                session,
                organization_id=org_id,
                actor=actor,
                action="space.created",
                target=space.name,
                space_id=space.id,
            )
            sign_in = await issue_sign_in(session, user, space.id)
    except IntegrityError as exc:
        raise Conflict("An account with this email already exists. Sign in instead.", code="email_taken") from exc
    await throttle.sign_up_succeeded(attempt)
    await verification.send_verification(email, verification_token)
    return sign_in


async def log_in(*, email: str, password: str, client: str) -> SignIn:
    """Check the password (throttled per account and client, and per client address) and issue a token."""
    email = (email or "").strip().lower()
    # Counted before the lookup and the hash: concurrent guesses cannot slip in between check and count.
    attempt = await throttle.admit_login_attempt(email, client)
    database = get_database()
    async with database.session() as session:
        row = await repository.login_lookup(session, email=email)
    if row is None:
        await burn_verification_time(password)
        raise Unauthorized(BAD_CREDENTIALS, code="invalid_credentials")
    org_id: uuid.UUID = row["organization_id"]
    if not await verify_password(row["password_hash"], password):
        # Every failure from the last free one on is audited; they come no faster than the doubling delay.
        if attempt.count >= get_settings().login_max_failures:
            async with database.session(organization_id=org_id) as session:
                await audit.record(
                    session,
                    organization_id=org_id,
                    actor=audit.Actor(row["user_id"], email),
                    action="login.failed_repeatedly",
                    target=email,
                    details={"failures": attempt.count, "client": client},
                )
        raise Unauthorized(BAD_CREDENTIALS, code="invalid_credentials")
    if row["disabled"]:
        raise Unauthorized("This account is disabled. Ask your administrator.", code="account_disabled")
    await throttle.attempt_succeeded(attempt)
    async with database.session(organization_id=org_id) as session:
        user = await repository.get_user(session, user_id=row["user_id"])
        if user is None:
            raise Unauthorized(BAD_CREDENTIALS, code="invalid_credentials")
        if needs_rehash(user.password_hash):
            user.password_hash = await hash_password(password)
        return await issue_sign_in(session, user)


async def log_out(principal: Principal) -> None:
    """Revoke the caller's token on every worker until it would have expired anyway."""
    await revoke(principal.token_id, principal.expires_at)


async def me(principal: Principal) -> dict[str, Any]:
    """The caller and the spaces they belong to (fresh from the database, not from the token)."""
    database = get_database()
    async with database.session(organization_id=principal.organization_id) as session:
        user = await repository.get_user(session, user_id=principal.user_id)
        if user is None:
            raise Unauthorized("This account no longer exists.", code="account_disabled")
        org = await session.get(Organization, principal.organization_id)
        claims = await token_claims(session, user)
        spaces = await list_member_spaces(session, principal.user_id)
    return {
        "user_id": str(user.id),
        "email": user.email,
        "name": user.name,
        "organization_id": str(user.organization_id),
        "organization_name": org.name if org else "",
        "org_role": claims["org_role"],
        "spaces": spaces,
        "email_verified": user.email_verified_at is not None,
        "email_verification_available": verification.mail_enabled(),
    }


async def list_member_spaces(session: AsyncSession, user_id: uuid.UUID) -> list[dict[str, str]]:
    """Active spaces the user is a member of, with their role, oldest first (the first is the default)."""
    rows = await repository.member_spaces(session, user_id=user_id)
    return [{"id": str(sid), "name": name, "role": role} for sid, name, role in rows]
