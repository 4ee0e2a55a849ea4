"""In a real browser: an organization admin renames and archives spaces, moves between spaces with the space
switcher (each shows its own members), changes a member's role and removes them."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.e2e.conftest import RunningApp
from tests.support.browser import sign_up_in_browser, space_names
from tests.support.tenants import auth_headers

pytestmark = pytest.mark.e2e

OWNER, PASSWORD = "sam@switch.example", "sam-password-1"
MEMBER = "mia@switch.example"


async def _member_joins_general(app_url: str) -> None:
    """Through the app's REST API: the owner invites MEMBER to their first space as an editor, MEMBER accepts."""
    async with httpx.AsyncClient(base_url=app_url, timeout=60) as http:
        token = (await http.post("/api/v1/auth/token", json={"email": OWNER, "password": PASSWORD})).json()
        me = (await http.get("/api/v1/auth/me", headers=auth_headers(token["access_token"]))).json()
        space_id = me["spaces"][0]["id"]
        invited = await http.post(
            f"/api/v1/spaces/{space_id}/members",
            json={"email": MEMBER, "role": "editor"},
            headers=auth_headers(token["access_token"], space_id),
        )
        assert invited.status_code == 201, invited.text
        accepted = await http.post(
            f"/api/v1/invitations/{invited.json()['invitation_token']}/accept",
            json={"name": "Mia Member", "password": "mia-password-1"},
        )
        assert accepted.status_code == 200, accepted.text


async def _switch_to(page: Any, name: str) -> None:
    await page.get_by_test_id("space-switcher").first.click()
    await page.get_by_role("option", name=name).click()
    await expect(page.get_by_test_id("space-switcher").first).to_have_text(name)


async def test_rename_archive_switch_space_then_change_a_role_and_remove_the_member(
    browser: Any, running_app: RunningApp
) -> None:
    context = await browser.new_context(base_url=running_app.url)
    page = await context.new_page()
    page.set_default_timeout(30_000)
    await sign_up_in_browser(page, name="Sam Switch", organization="Switch Org", email=OWNER, password=PASSWORD)
    await _member_joins_general(running_app.url)

    # Two more spaces; one renamed, the other archived.
    await page.get_by_test_id("nav-spaces").first.click()
    await page.wait_for_url(re.compile(r".*/spaces$"))
    for name in ("EMEA Campaigns", "APAC Campaigns"):
        await page.get_by_test_id("new-space-name").fill(name)
        await page.get_by_test_id("create-space").click()
        await expect(page.get_by_test_id("space-name").filter(has_text=name)).to_be_visible()
    rows = page.get_by_role("row")
    await rows.filter(has_text="EMEA Campaigns").get_by_role("button", name="Rename").click()
    editing = rows.filter(has=page.get_by_role("button", name="Save"))
    await editing.get_by_role("textbox").fill("EMEA Launches")
    await editing.get_by_role("button", name="Save").click()
    await expect(page.get_by_test_id("space-name").filter(has_text="EMEA Launches")).to_be_visible()
    await expect(page.get_by_test_id("space-name").filter(has_text="EMEA Campaigns")).to_have_count(0)
    await rows.filter(has_text="APAC Campaigns").get_by_role("button", name="Archive").click()
    await expect(rows.filter(has_text="APAC Campaigns")).to_contain_text("archived")
    await expect(rows.filter(has_text="APAC Campaigns").get_by_role("button", name="Rename")).to_have_count(0)
    # The switcher offers the new name and no longer the archived space, after a reload too.
    assert await space_names(page) == ["EMEA Launches", "General"]
    await page.reload()
    await expect(page.get_by_test_id("space-name").filter(has_text="EMEA Launches")).to_be_visible()
    assert await space_names(page) == ["EMEA Launches", "General"]

    # The switcher moves the page to another space's data: EMEA has only its creator, General both people.
    await page.get_by_test_id("nav-members").first.click()
    await page.wait_for_url(re.compile(r".*/members$"))
    emails = page.get_by_test_id("member-email")
    await expect(emails).to_have_count(2)
    await _switch_to(page, "EMEA Launches")
    await expect(emails).to_have_count(1)
    await expect(emails).to_have_text(OWNER)
    await expect(page.get_by_test_id("members-table")).not_to_contain_text(MEMBER)
    await _switch_to(page, "General")
    await expect(emails).to_have_count(2)

    # A role change is kept (the page after a reload shows it).
    member_row = page.get_by_role("row").filter(has_text=MEMBER)
    await member_row.get_by_role("combobox").click()
    await page.get_by_role("option", name="viewer").click()
    await expect(page.get_by_text("Role changed")).to_be_visible()
    await page.reload()
    await expect(member_row.get_by_role("combobox")).to_have_text("viewer")

    # Removing asks first, then the member is gone from the space, after a reload too.
    await member_row.get_by_role("button", name="Remove member").click()
    await page.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
    await expect(page.get_by_text("Member removed")).to_be_visible()
    await expect(emails).to_have_count(1)
    await page.reload()
    await expect(emails).to_have_text(OWNER)
    await context.close()
