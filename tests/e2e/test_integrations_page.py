"""In a real browser: an admin connects GA4 through Google's consent (a fake Google on 127.0.0.1), picks a
property, sees the reconnect prompt once Google drops the grant, reconnects, and disconnects."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import RunningApp
from tests.support.browser import sign_up_in_browser
from tests.support.fake_google import ALICE, FakeGoogle

pytestmark = pytest.mark.e2e


async def test_admin_connects_ga4_reconnects_and_disconnects(
    browser: Any, running_app: RunningApp, fake_google: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    google, _ = fake_google
    google.consent_as = ALICE
    context = await browser.new_context(base_url=running_app.url)
    page = await context.new_page()
    page.set_default_timeout(30_000)
    await sign_up_in_browser(
        page, name="Gina Admin", organization="Gauge Co", email="gina@gauge.example", password="gina-password-1"
    )

    await page.get_by_test_id("nav-integrations").first.click()
    await page.wait_for_url(re.compile(r".*/integrations$"))
    await expect(page.get_by_test_id("ga4-status")).to_have_text("Not connected")
    await page.get_by_test_id("ga4-connect").click()
    await page.wait_for_url(re.compile(r".*/integrations/?\?ga4=connected$"))
    await expect(page.get_by_test_id("ga4-notice")).to_have_text("GA4 connected.")
    await expect(page.get_by_test_id("ga4-status")).to_have_text("Connected")

    await page.get_by_test_id("ga4-property-picker").click()
    await page.get_by_role("option", name=re.compile("alpha.example")).click()
    await expect(page.get_by_test_id("ga4-property")).to_have_text("Reading alpha.example (111).")

    google.revoke_everything_of(ALICE)  # what Gina does in her Google account settings
    await page.goto(f"{running_app.url}/integrations")
    await expect(page.get_by_test_id("ga4-reconnect-prompt")).to_contain_text("reconnect GA4")
    await expect(page.get_by_test_id("ga4-status")).to_have_text("Reconnect needed")
    await page.screenshot(path=str(tmp_path / "integrations-reconnect.png"), full_page=True)
    await page.get_by_test_id("ga4-reconnect").click()
    await page.wait_for_url(re.compile(r".*/integrations/?\?ga4=connected$"))
    await expect(page.get_by_test_id("ga4-property")).to_have_text("Reading alpha.example (111).")

    await page.get_by_role("button", name="Disconnect GA4").click()
    await page.get_by_role("button", name="Disconnect", exact=True).click()
    await expect(page.get_by_test_id("ga4-status")).to_have_text("Not connected")
    assert google.revoked_tokens, "the grant was revoked at Google"
    await context.close()
