"""In a real browser: the address-verification link mailed after sign-up confirms the address once; a used
or unknown link says so. (The app here has no SMTP: the test plants a link's token as the mail would carry.)"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import psycopg
import pytest
from playwright.async_api import expect

from tests.e2e.conftest import RunningApp
from tests.support.browser import sign_up_in_browser

pytestmark = pytest.mark.e2e


def _plant_link(running_app: RunningApp, email: str) -> str:
    from backend.core.embedded_pg import embedded_url

    token = secrets.token_urlsafe(32)
    with psycopg.connect(embedded_url(running_app.data_dir), autocommit=True) as conn:
        conn.execute(
            "UPDATE users SET email_verification_hash = %s, email_verification_expires_at = now() + interval '1 hour' "
            "WHERE email = %s",
            (hashlib.sha256(token.encode()).hexdigest(), email),
        )
    return token


def _verified(running_app: RunningApp, email: str) -> bool:
    from backend.core.embedded_pg import embedded_url

    with psycopg.connect(embedded_url(running_app.data_dir)) as conn:
        row = conn.execute("SELECT email_verified_at IS NOT NULL FROM users WHERE email = %s", (email,)).fetchone()
    return bool(row and row[0])


async def test_the_mailed_link_confirms_the_address_once(page: Any, running_app: RunningApp) -> None:
    email = "vicky@verify.example"
    await sign_up_in_browser(page, name="Vicky", organization="Verify Co", email=email, password="vicky-pw-1234")
    assert not _verified(running_app, email)
    token = _plant_link(running_app, email)

    await page.goto(f"/verify-email/{token}")
    await expect(page.get_by_test_id("verified")).to_have_text("Your address is confirmed.")
    assert _verified(running_app, email)

    await page.goto(f"/verify-email/{token}")
    await expect(page.get_by_test_id("verify-problem")).to_contain_text("not valid or has expired")
    await page.goto("/verify-email/made-up-token")
    await expect(page.get_by_test_id("verify-problem")).to_contain_text("not valid or has expired")
