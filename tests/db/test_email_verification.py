"""The two security-definer functions behind address verification, called as the application role.

`obelisk_release_unverified_email` writes to another organization's `users` row, which row-level security
hides from the app role: it must do so only for the exact case the rule allows (a pending, unexpired
invitation carrying that mailed token, an unverified account, in another organization) and never otherwise.
`obelisk_verify_email` verifies only with a live token.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from backend.core.config import get_settings
from backend.core.db import Database
from backend.core.errors import AppError
from backend.tenancy import invitations, repository, verification
from tests.support.smtp import SmtpServer, mail_server
from tests.support.tenants import new_tenant


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    with mail_server(tmp_path, get_settings(), monkeypatch) as server:
        yield server


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


async def _release(db: Database, token: str) -> Any:
    async with db.session() as session:
        return await repository.release_unverified_email(session, mailed_token_hash=_hash(token))


async def _user_row(db: Database, tenant: Any) -> Any:
    async with db.session(organization_id=uuid.UUID(tenant.organization_id)) as session:
        row = await session.execute(
            text("SELECT email, email_verified_at, token_generation FROM users WHERE id = :id"),
            {"id": tenant.user_id},
        )
        return row.mappings().one()


async def test_release_takes_only_an_unverified_address_with_a_live_mailed_invitation(
    db: Database, memory_backends: None, smtp: SmtpServer
) -> None:
    squatter = await new_tenant("vera", "Squat Org")  # vera@example.com, never verified
    employer = await new_tenant("ada", "Employer")
    outcome = await invitations.invite(await employer.context(), email="vera@example.com", role="editor")
    (mailed,) = [link for link in smtp.links_to("vera@example.com") if "/invite/" in link]

    # Neither the admin's token nor a made-up one releases anything.
    assert await _release(db, outcome.invitation_token or "") is None
    assert await _release(db, "made-up") is None
    # Nor does a withdrawn invitation.
    pending = await invitations.list_invitations(await employer.context())
    await invitations.revoke_invitation(await employer.context(), pending[0]["id"])
    assert await _release(db, _token(mailed)) is None
    assert (await _user_row(db, squatter))["email"] == "vera@example.com"

    await invitations.invite(await employer.context(), email="vera@example.com", role="editor")
    fresh = [link for link in smtp.links_to("vera@example.com") if "/invite/" in link][-1]
    released = await _release(db, _token(fresh))
    assert released is not None and str(released["user_id"]) == squatter.user_id
    assert released["email"] == "vera@example.com"
    row = await _user_row(db, squatter)
    assert row["email"] != "vera@example.com" and row["token_generation"] == released["token_generation"] >= 1


async def test_release_never_takes_a_verified_address_or_one_inside_the_inviting_organization(
    db: Database, memory_backends: None, smtp: SmtpServer
) -> None:
    holder = await new_tenant("vera", "Holder Org")
    async with db.session(organization_id=uuid.UUID(holder.organization_id)) as session:
        await session.execute(text("UPDATE users SET email_verified_at = now() WHERE id = :id"), {"id": holder.user_id})
    employer = await new_tenant("ada", "Employer")
    await invitations.invite(await employer.context(), email="vera@example.com", role="editor")
    (mailed,) = [link for link in smtp.links_to("vera@example.com") if "/invite/" in link]
    assert await _release(db, _token(mailed)) is None
    assert (await _user_row(db, holder))["email"] == "vera@example.com"

    # An unverified colleague in the inviting organization itself is never released either.
    ctx = await employer.context()
    await invitations.invite(ctx, email="carl@example.com", role="viewer")
    (carl_mailed,) = [link for link in smtp.links_to("carl@example.com") if "/invite/" in link]
    second = await invitations.invite(ctx, email="carl@example.com", role="viewer")
    await invitations.accept_invitation(second.invitation_token or "", name="Carl", password="carl-pw-1234")
    assert await _release(db, _token(carl_mailed)) is None


async def test_an_expired_invitation_releases_nothing(db: Database, memory_backends: None, smtp: SmtpServer) -> None:
    squatter = await new_tenant("vera", "Squat Org")
    employer = await new_tenant("ada", "Employer")
    await invitations.invite(await employer.context(), email="vera@example.com", role="editor")
    (mailed,) = [link for link in smtp.links_to("vera@example.com") if "/invite/" in link]
    async with db.session(organization_id=uuid.UUID(employer.organization_id)) as session:
        await session.execute(text("UPDATE invitations SET expires_at = now() - interval '1 minute'"))
    assert await _release(db, _token(mailed)) is None
    assert (await _user_row(db, squatter))["email"] == "vera@example.com"


async def test_verification_needs_a_live_token(db: Database, memory_backends: None, smtp: SmtpServer) -> None:
    from backend.tenancy import accounts

    await accounts.sign_up(email="vera@example.com", password="vera-pw-1234", name="Vera", organization_name="V")
    (link,) = smtp.links_to("vera@example.com")
    async with db.session() as session:
        hidden = (await session.execute(text("SELECT count(*) FROM users"))).scalar()
    assert hidden == 0, "without an organization the app role sees no account"
    # Expire it: the link no longer verifies.
    row = None
    async with db.session() as session:
        row = await repository.login_lookup(session, email="vera@example.com")
    assert row is not None
    async with db.session(organization_id=row["organization_id"]) as session:
        await session.execute(
            text("UPDATE users SET email_verification_expires_at = :t WHERE id = :id"),
            {"t": datetime.now(UTC) - timedelta(seconds=1), "id": row["user_id"]},
        )
    with pytest.raises(AppError) as refused:
        await verification.verify_email(_token(link))
    assert refused.value.code == "verification_not_found"
    async with db.session(organization_id=row["organization_id"]) as session:
        await session.execute(
            text("UPDATE users SET email_verification_expires_at = :t WHERE id = :id"),
            {"t": datetime.now(UTC) + timedelta(hours=1), "id": row["user_id"]},
        )
    await verification.verify_email(_token(link))
    async with db.session(organization_id=row["organization_id"]) as session:
        verified_at = (
            await session.execute(text("SELECT email_verified_at FROM users WHERE id = :id"), {"id": row["user_id"]})
        ).scalar()
    assert verified_at is not None


async def test_the_functions_are_not_callable_by_public(db: Database) -> None:
    async with db.session() as session:
        rows = (
            await session.execute(
                text(
                    "SELECT p.proname, p.prosecdef, has_function_privilege('public', p.oid, 'EXECUTE') "
                    "FROM pg_proc p WHERE p.proname IN ('obelisk_verify_email', 'obelisk_release_unverified_email')"
                )
            )
        ).all()
    assert {(name, definer, public) for name, definer, public in rows} == {
        ("obelisk_verify_email", True, False),
        ("obelisk_release_unverified_email", True, False),
    }
