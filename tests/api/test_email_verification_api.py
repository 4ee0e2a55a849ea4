"""E-mail squatting: an address belongs to whoever proves they read its mail.

A squatter signs up with someone else's address; the real person's employer invites them. With SMTP, the
invitation's mailed link proves the address and takes it from the unverified squatter; a verified account
keeps its address; without SMTP nothing is proved and nothing is taken. The mail goes through a real SMTP
conversation with the fake server of `tests/support/smtp.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.core.config import get_settings
from tests.support.smtp import SmtpServer, mail_server
from tests.support.tenants import auth_headers

VICTIM = "vera@example.com"


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    with mail_server(tmp_path, get_settings(), monkeypatch) as server:
        yield server


async def _sign_up(client: httpx.AsyncClient, email: str, password: str = "squat-password-1") -> dict[str, Any]:
    form = {"email": email, "password": password, "name": "Someone", "organization_name": "Some Org"}
    response = await client.post("/api/v1/auth/signup", json=form)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _invite(client: httpx.AsyncClient, admin: Any, email: str = VICTIM) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/spaces/{admin.space_id}/members", json={"email": email, "role": "editor"}, headers=admin.headers()
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


async def _accept(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(f"/api/v1/invitations/{token}/accept", json={"name": "Vera", "password": "vera-pw-1234"})


async def _log_in(client: httpx.AsyncClient, email: str, password: str) -> int:
    return (await client.post("/api/v1/auth/token", json={"email": email, "password": password})).status_code


async def test_the_mailed_invitation_takes_the_address_from_an_unverified_squatter(
    client: httpx.AsyncClient, signup: Any, smtp: SmtpServer
) -> None:
    squatter = await _sign_up(client, VICTIM)
    assert len(smtp.links_to(VICTIM)) == 1, "sign-up mails a verification link to the address"
    ada = await signup("ada")
    invitation = await _invite(client, ada)
    assert invitation["emailed"] is True
    mailed = [link for link in smtp.links_to(VICTIM) if "/invite/" in link]
    assert len(mailed) == 1 and _token_of(mailed[0]) != invitation["invitation_token"]

    # The admin's copy of the link proves nothing: it fails, without saying an account exists.
    refused = await _accept(client, invitation["invitation_token"])
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invitation_unusable"
    assert "account" not in refused.json()["error"]["message"].lower()

    accepted = await _accept(client, _token_of(mailed[0]))
    assert accepted.status_code == 200, accepted.text
    vera = accepted.json()
    me = (await client.get("/api/v1/auth/me", headers=auth_headers(vera["access_token"]))).json()
    assert me["email"] == VICTIM and me["organization_id"] == ada.organization_id
    members = (await client.get(f"/api/v1/spaces/{ada.space_id}/members", headers=ada.headers())).json()
    assert VICTIM in {m["email"] for m in members}

    # The squatter lost the address: their token is superseded and the address logs in as Vera only.
    stale = await client.get("/api/v1/auth/me", headers=auth_headers(squatter["access_token"]))
    assert stale.status_code == 401
    assert await _log_in(client, VICTIM, "squat-password-1") == 401
    assert await _log_in(client, VICTIM, "vera-pw-1234") == 200


async def test_a_verified_account_keeps_its_address(client: httpx.AsyncClient, signup: Any, smtp: SmtpServer) -> None:
    owner = await _sign_up(client, VICTIM, password="real-owner-pw-1")
    (link,) = smtp.links_to(VICTIM)
    assert "/verify-email/" in link
    verified = await client.post("/api/v1/auth/verify-email", json={"token": _token_of(link)})
    assert verified.status_code == 200 and verified.json() == {"verified": True}

    ada = await signup("ada")
    await _invite(client, ada)
    mailed = [link for link in smtp.links_to(VICTIM) if "/invite/" in link]
    refused = await _accept(client, _token_of(mailed[0]))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "invitation_unusable"
    assert "account" not in refused.json()["error"]["message"].lower()
    assert (await client.get("/api/v1/auth/me", headers=auth_headers(owner["access_token"]))).status_code == 200
    assert await _log_in(client, VICTIM, "real-owner-pw-1") == 200


async def test_without_smtp_no_address_is_taken(client: httpx.AsyncClient, signup: Any) -> None:
    assert not get_settings().smtp_host
    owner = await _sign_up(client, VICTIM, password="first-come-pw-1")
    ada = await signup("ada")
    invitation = await _invite(client, ada)
    assert invitation["emailed"] is False
    refused = await _accept(client, invitation["invitation_token"])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "invitation_unusable"
    assert (await client.get("/api/v1/auth/me", headers=auth_headers(owner["access_token"]))).status_code == 200


async def test_verification_links_work_once_and_unknown_ones_are_404(
    client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    await _sign_up(client, VICTIM)
    (link,) = smtp.links_to(VICTIM)
    for token in ("not-a-token", "x" * 300):
        bad = await client.post("/api/v1/auth/verify-email", json={"token": token})
        assert bad.status_code in (404, 422) and "error" in bad.json()
    assert (await client.post("/api/v1/auth/verify-email", json={"token": _token_of(link)})).status_code == 200
    again = await client.post("/api/v1/auth/verify-email", json={"token": _token_of(link)})
    assert again.status_code == 404 and again.json()["error"]["code"] == "verification_not_found"


async def test_the_verification_page_confirms_the_address_once(client: httpx.AsyncClient, smtp: SmtpServer) -> None:
    from obelisk_app import routes
    from obelisk_app.pages.verify_email import VerifyEmailState
    from tests.support.ui import Tab

    await _sign_up(client, VICTIM)
    (link,) = smtp.links_to(VICTIM)
    page = Tab(route=routes.VERIFY_EMAIL, params={"verify_code": _token_of(link)}).state(VerifyEmailState)
    await VerifyEmailState.load.fn(page)
    assert page.outcome == "verified" and page.problem == ""
    await VerifyEmailState.load.fn(page)
    assert page.outcome == "failed" and "not valid or has expired" in page.problem


async def _age_link(owner: dict[str, Any], minutes: int = 2) -> None:
    """Pretend the account's current link went out `minutes` ago (the resend limit is one a minute)."""
    from datetime import timedelta

    from sqlalchemy import update

    from backend.core.db import get_database
    from backend.tenancy.models import User

    async with get_database().session(organization_id=owner["organization_id"]) as session:
        await session.execute(
            update(User)
            .where(User.id == owner["user_id"])
            .values(email_verification_expires_at=User.email_verification_expires_at - timedelta(minutes=minutes))
        )


async def test_a_new_link_replaces_the_old_one_at_most_once_a_minute(
    client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    account = await _sign_up(client, VICTIM)
    headers = auth_headers(account["access_token"])
    me = (await client.get("/api/v1/auth/me", headers=headers)).json()
    assert me["email_verified"] is False and me["email_verification_available"] is True
    (first,) = smtp.links_to(VICTIM)

    too_soon = await client.post("/api/v1/auth/verify-email/resend", headers=headers)
    assert too_soon.status_code == 429 and too_soon.json()["error"]["code"] == "verification_recently_sent"
    assert int(too_soon.headers["retry-after"]) > 0 and len(smtp.links_to(VICTIM)) == 1

    await _age_link(account)
    sent = await client.post("/api/v1/auth/verify-email/resend", headers=headers)
    assert sent.status_code == 202 and sent.json() == {"sent": True, "resend_after_seconds": 60}
    second = smtp.links_to(VICTIM)[-1]
    assert second != first and len(smtp.links_to(VICTIM)) == 2
    assert (await client.post("/api/v1/auth/verify-email", json={"token": _token_of(first)})).status_code == 404
    assert (await client.post("/api/v1/auth/verify-email", json={"token": _token_of(second)})).status_code == 200
    assert (await client.get("/api/v1/auth/me", headers=headers)).json()["email_verified"] is True

    await _age_link(account)
    done = await client.post("/api/v1/auth/verify-email/resend", headers=headers)
    assert done.status_code == 409 and done.json()["error"]["code"] == "already_verified"
    assert len(smtp.links_to(VICTIM)) == 2
    assert (await client.post("/api/v1/auth/verify-email/resend")).status_code == 401


async def test_without_smtp_a_link_cannot_be_asked_for(client: httpx.AsyncClient) -> None:
    account = await _sign_up(client, VICTIM)
    headers = auth_headers(account["access_token"])
    me = (await client.get("/api/v1/auth/me", headers=headers)).json()
    assert me["email_verified"] is False and me["email_verification_available"] is False
    refused = await client.post("/api/v1/auth/verify-email/resend", headers=headers)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "mail_not_configured"


async def test_the_shell_offers_a_new_link_until_the_address_is_confirmed(
    client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    from backend.tenancy import verification
    from obelisk_app.states import AuthState
    from tests.support.ui import Tab

    account = await _sign_up(client, VICTIM)
    tab = Tab(account["access_token"], account["space_id"])
    await AuthState.require_login.fn(tab.auth)
    assert tab.auth.email_unconfirmed is True

    await AuthState.resend_verification.fn(tab.auth)
    assert "less than a minute ago" in tab.auth.verification_note and len(smtp.links_to(VICTIM)) == 1
    await _age_link(account)
    await AuthState.resend_verification.fn(tab.auth)
    assert "on its way" in tab.auth.verification_note and len(smtp.links_to(VICTIM)) == 2

    await verification.verify_email(_token_of(smtp.links_to(VICTIM)[-1]))
    await AuthState.require_login.fn(tab.auth)
    assert tab.auth.email_unconfirmed is False
