"""Who may hold an e-mail address: the person who proves they read its mail.

An address is unique platform-wide, so an account that merely claims one (anyone can sign up with any
address) would block its owner from signing up and from joining their employer. The rule:

* With SMTP configured, sign-up mails a link to the address; opening it sets `email_verified_at`.
  An invitation is mailed with its own second token (the admin sees only the other one), so accepting
  through the mailed link proves the address too. That acceptance takes the address from an account that
  never verified it, in whichever organization (the account stays, under a placeholder address, its
  tokens superseded; its organization's audit log says why). A verified account keeps its address: the
  invitation then fails with a message that names no account.
* Without SMTP (the single-machine default) nothing can be mailed, so nothing can prove an address: every
  account stays unverified, and none ever loses its address. An invitation link passes through the admin's
  hands, so letting it win would let any admin take any address. Deployments open to strangers configure SMTP.

Only hashes of the tokens are stored; the writes across organizations go through security-definer functions
(migration 0018_email_verification).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.config import get_settings
from backend.core.db import get_database
from backend.core.errors import Conflict, NotFound, RateLimited, ServiceUnavailable
from backend.core.mail import send_mail
from backend.tenancy import audit, repository
from backend.tenancy.access import publish_generation
from backend.tenancy.context import Principal
from backend.tenancy.models import User

LINK_INVALID = "This verification link is not valid or has expired. Sign in and ask for a new one."
RESEND_INTERVAL = timedelta(seconds=60)
"""A new link is mailed at most once a minute per account (each one replaces the last)."""


def mail_enabled() -> bool:
    """True when links can be mailed, the only way an address can be proved."""
    return bool(get_settings().smtp_host)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def verification_url(token: str) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/verify-email/{token}"


def start_verification(user: User) -> str | None:
    """Give `user` a fresh verification token (stored hashed, with its expiry); the token to mail, or None
    when nothing can be mailed. The caller sends it with `send_verification` after its transaction commits."""
    if not mail_enabled() or user.email_verified_at is not None:
        return None
    token = secrets.token_urlsafe(32)
    user.email_verification_hash = token_hash(token)
    user.email_verification_expires_at = datetime.now(UTC) + timedelta(days=get_settings().email_verification_ttl_days)
    return token


async def send_verification(email: str, token: str | None) -> bool:
    """Mail the verification link (nothing when `token` is None); True when the server accepted it."""
    if token is None:
        return False
    return await send_mail(
        to=email,
        subject="Confirm your e-mail address for Obelisk",
        body=(
            "Someone, hopefully you, created an Obelisk account with this address.\n\n"
            f"Confirm it is yours: {verification_url(token)}\n\n"
            "If it was not you, ignore this message: an unconfirmed account loses the address as soon as you "
            "accept an invitation sent to it.\n"
        ),
    )


def link_sent_at(user: User) -> datetime | None:
    """When the account's current link was issued (its expiry minus the link lifetime), or None."""
    if user.email_verification_expires_at is None:
        return None
    return user.email_verification_expires_at - timedelta(days=get_settings().email_verification_ttl_days)


async def resend_verification(principal: Principal) -> int:
    """Mail the caller a new verification link (the previous one stops working); the seconds to wait before
    the next one may be asked for. 409 when the address is already confirmed or nothing can be mailed (no
    SMTP), 429 when a link went out less than a minute ago, 503 when the mail server refused the message."""
    if not mail_enabled():
        raise Conflict(
            "This server cannot send e-mail, so addresses cannot be confirmed here. Ask your administrator to "
            "configure SMTP.",
            code="mail_not_configured",
        )
    async with get_database().session(organization_id=principal.organization_id) as session:
        user = await repository.get_user(session, user_id=principal.user_id, lock=True)
        if user is None:
            raise NotFound("This account no longer exists.", code="account_not_found")
        if user.email_verified_at is not None:
            raise Conflict("Your e-mail address is already confirmed.", code="already_verified")
        sent_at = link_sent_at(user)
        if sent_at is not None:
            wait = (sent_at + RESEND_INTERVAL - datetime.now(UTC)).total_seconds()
            if wait > 0:
                raise RateLimited(
                    f"A link was sent less than a minute ago. Check your inbox, or ask again in {int(wait) + 1} s.",
                    retry_after=int(wait) + 1,
                    code="verification_recently_sent",
                )
        token = start_verification(user)
        email = user.email
    if not await send_verification(email, token):
        raise ServiceUnavailable(
            "The mail server did not accept the message. Try again in a few minutes.", code="mail_failed"
        )
    return int(RESEND_INTERVAL.total_seconds())


async def verify_email(token: str) -> None:
    """Mark the address the link was mailed to as verified; 404 for an unknown, used or expired link."""
    if not token or len(token) > 200:
        raise NotFound(LINK_INVALID, code="verification_not_found")
    database = get_database()
    async with database.session() as session:
        row = await repository.verify_email(session, token_hash=token_hash(token))
    if row is None:
        raise NotFound(LINK_INVALID, code="verification_not_found")
    async with database.session(organization_id=row["organization_id"]) as session:
        email = await repository.email_of(session, user_id=row["user_id"])
        await audit.record(
            session,
            organization_id=row["organization_id"],
            actor=audit.Actor(row["user_id"], email or ""),
            action="email.verified",
            target=email,
        )


async def release_for_invitation(session: AsyncSession, *, mailed_token_hash: str) -> Any:
    """Within the acceptance's transaction: take the invited address from an unverified account elsewhere.

    Returns what `after_release` needs once the transaction has committed, or None when no account held it.
    """
    return await repository.release_unverified_email(session, mailed_token_hash=mailed_token_hash)


async def after_release(released: Any) -> None:
    """Supersede the released account's tokens on every worker at once and tell its organization why."""
    if released is None:
        return
    await publish_generation(released["user_id"], released["token_generation"])
    org_id = released["organization_id"]
    async with get_database().session(organization_id=org_id) as session:
        await audit.record(
            session,
            organization_id=org_id,
            actor=None,
            action="account.email_released",
            target=released["email"],
            details={
                "user_id": str(released["user_id"]),
                "reason": "the address was never verified, and an invitation mailed to it was accepted",
            },
        )


__all__ = [
    "after_release",
    "mail_enabled",
    "release_for_invitation",
    "resend_verification",
    "send_verification",
    "start_verification",
    "verification_url",
    "verify_email",
]
