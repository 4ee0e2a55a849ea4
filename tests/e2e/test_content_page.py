"""In a real browser: an admin sets a banned term in the brand voice, saves a draft on the Content page, sees
its voice score, the flag citing the rule, and the unsupported claim, edits it, sees the diff, and approves it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import RunningApp
from tests.support.browser import sign_up_in_browser

pytestmark = pytest.mark.e2e

DRAFT = "Our cheap plan already serves 12,000 teams across Europe. Book a demo this week."
EDITED = "Our affordable plan already serves 12,000 teams across Europe. Book a demo this week."


async def test_a_draft_is_scored_edited_compared_and_approved(browser: Any, running_app: RunningApp) -> None:
    context = await browser.new_context(base_url=running_app.url)
    page = await context.new_page()
    page.set_default_timeout(30_000)
    await sign_up_in_browser(
        page, name="Rita Reviewer", organization="Content Co", email="rita@content.example", password="rita-password-1"
    )
    await page.get_by_test_id("nav-brand-voice").first.click()
    await page.wait_for_url(re.compile(r".*/brand-voice$"))
    # The form is re-mounted when the stored voice arrives: text typed before that would be dropped.
    await page.get_by_test_id("brand-voice-loaded").wait_for(state="attached")
    await page.get_by_test_id("space-banned_terms").fill("cheap")
    await page.get_by_test_id("space-save").click()
    await expect(page.get_by_test_id("space-banned_terms")).to_have_value("cheap")

    await page.get_by_test_id("nav-content").first.click()
    await page.wait_for_url(re.compile(r".*/content$"))
    await page.get_by_test_id("new-content-title").fill("Spring launch post")
    await page.get_by_test_id("new-content-body").fill(DRAFT)
    await page.get_by_test_id("new-content-save").click()
    await page.wait_for_url(re.compile(r".*/content/[0-9a-f-]{36}$"))

    await expect(page.get_by_test_id("content-heading")).to_have_text("Spring launch post")
    await expect(page.get_by_test_id("voice-score")).to_contain_text("/ 100")
    flag = page.get_by_test_id("voice-flag").filter(has_text="'cheap'")
    await expect(flag).to_contain_text("brand_voice.banned_terms")
    claim = page.get_by_test_id("claim").filter(has_text="12,000 teams")
    await expect(claim).to_contain_text("unsupported")
    await expect(page.get_by_test_id("preview").first).to_contain_text("Search result title")

    await page.get_by_test_id("content-editor").fill(EDITED)
    await page.get_by_test_id("save-version").click()
    await expect(page.get_by_test_id("content-viewing")).to_have_text("Showing version 2 of 2")
    await expect(page.get_by_test_id("diff-delete")).to_contain_text("cheap")
    await expect(page.get_by_test_id("diff-insert")).to_contain_text("affordable")
    await expect(page.get_by_test_id("voice-flag").filter(has_text="'cheap'")).to_have_count(0)

    await page.get_by_test_id("action-submit").click()
    await expect(page.get_by_test_id("content-state")).to_have_text("In review")
    await page.get_by_test_id("action-approve").click()
    await expect(page.get_by_test_id("content-state")).to_have_text("Approved")
    await expect(page.get_by_test_id("transition").first).to_contain_text("Approve by rita@content.example")

    await page.get_by_test_id("nav-content").first.click()
    await expect(page.get_by_test_id("content-title")).to_have_text("Spring launch post")
    await expect(page.get_by_test_id("content-state")).to_have_text("Approved")
    await context.close()
