"""In a real browser: sign up, create a second space, invite a member, accept in a second browser context,
and check each member sees only their own spaces."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import RunningApp
from tests.support.browser import sign_up_in_browser, space_names

pytestmark = pytest.mark.e2e


async def test_signup_space_invite_accept_and_isolation(browser: Any, running_app: RunningApp) -> None:
    owner_ctx = await browser.new_context(base_url=running_app.url)
    owner = await owner_ctx.new_page()
    owner.set_default_timeout(30_000)
    await sign_up_in_browser(
        owner,
        name="Olivia Owner",
        organization="Acme Marketing",
        email="olivia@acme.example",
        password="olivia-password-1",
    )
    await owner.get_by_test_id("nav-members").first.click()
    await owner.wait_for_url(re.compile(r".*/members$"))
    await expect(owner.get_by_test_id("my-role")).to_have_text("admin")

    # A second space, from the Spaces page.
    await owner.get_by_test_id("nav-spaces").first.click()
    await owner.wait_for_url(re.compile(r".*/spaces$"))
    await owner.get_by_test_id("new-space-name").fill("EMEA Campaigns")
    await owner.get_by_test_id("create-space").click()
    await owner.get_by_text("EMEA Campaigns").first.wait_for()
    assert await space_names(owner) == ["EMEA Campaigns", "General"]

    # Invite a member to General; the link is shown to pass on.
    await owner.get_by_test_id("nav-members").first.click()
    await owner.wait_for_url(re.compile(r".*/members$"))
    await owner.get_by_test_id("invite-email-input").fill("ivan@acme.example")
    await owner.get_by_test_id("invite-button").click()
    await expect(owner.get_by_test_id("invite-link")).to_contain_text("/invite/")
    link = await owner.get_by_test_id("invite-link").text_content()
    assert link and "/invite/" in link

    # The invitee accepts in another browser context (another person, no shared storage).
    invitee_ctx = await browser.new_context(base_url=running_app.url)
    invitee = await invitee_ctx.new_page()
    invitee.set_default_timeout(30_000)
    await invitee.goto(link.replace("http://localhost:3000", running_app.url))
    await expect(invitee.get_by_test_id("invite-email")).to_contain_text("ivan@acme.example")
    await invitee.get_by_test_id("field-name").fill("Ivan Invitee")
    await invitee.get_by_test_id("field-password").fill("ivan-password-1")
    await invitee.get_by_test_id("invite-submit").click()
    await invitee.wait_for_url(re.compile(r".*/dashboard$"))
    await invitee.get_by_test_id("nav-members").first.click()
    await invitee.wait_for_url(re.compile(r".*/members$"))
    await expect(invitee.get_by_test_id("my-role")).to_have_text("editor")
    assert await space_names(invitee) == ["General"], "the invitee sees only the space they were invited to"
    assert await invitee.get_by_test_id("nav-spaces").count() == 0, "organization admin pages are hidden"
    await expect(invitee.get_by_test_id("member-email")).to_have_count(2)
    emails = await invitee.get_by_test_id("member-email").all_text_contents()
    assert sorted(emails) == ["ivan@acme.example", "olivia@acme.example"]

    # The owner sees the new member and both spaces; signing out ends the session.
    await owner.reload()
    await owner.get_by_text("ivan@acme.example").first.wait_for()
    assert await space_names(owner) == ["EMEA Campaigns", "General"]
    await invitee.get_by_test_id("user-menu").click()
    await invitee.get_by_test_id("sign-out").click()
    await invitee.wait_for_url(re.compile(r".*/login$"))
    await invitee.goto("/members")
    await invitee.wait_for_url(re.compile(r".*/login$"))
    # Signing in again through the form: a wrong password is explained, the right one lets them in.
    await invitee.get_by_test_id("field-email").fill("ivan@acme.example")
    await invitee.get_by_test_id("field-password").fill("not-the-password")
    await invitee.get_by_test_id("login-submit").click()
    await expect(invitee.get_by_test_id("form-error")).to_contain_text("incorrect")
    await invitee.get_by_test_id("field-password").fill("ivan-password-1")
    await invitee.get_by_test_id("login-submit").click()
    await invitee.wait_for_url(re.compile(r".*/dashboard$"))
    assert await space_names(invitee) == ["General"]
    await owner_ctx.close()
    await invitee_ctx.close()
