"""In a real browser, the whole review path from a chat answer: an admin edits the brand voice (typing at once,
before the stored voice has arrived, and a sentence-length range), asks an agent for a draft, saves the answer
as content, sees its voice score, the flags citing the brand-voice fields, the unsupported claim, edits it, sees
the diff and approves it.

The app's fake chat model answers with the text after `Reply with:` in the user's message
(`backend.models.chat_fake.requested_reply`): its default echo of the answer request would be blocked by the
answer check, and a blocked answer cannot be saved.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from backend.models.chat_fake import REPLY_WITH
from tests.e2e.conftest import RunningApp
from tests.support.browser import sign_up_in_browser

pytestmark = pytest.mark.e2e

DRAFT = (
    "Our cheap Team plan already serves 12,000 teams across Europe, and it gives every marketing lead one calm "
    "place to plan, write and approve each launch without chasing anyone for the latest version of a file. "
    "Book a demo this week."
)
EDITED = (
    "Our affordable Team plan already serves 12,000 teams across Europe. It gives every marketing lead one calm "
    "place to plan each launch. Book a demo this week."
)


async def test_a_chat_answer_becomes_an_approved_content_item(
    browser: Any, running_app: RunningApp, tmp_path: Path
) -> None:
    context = await browser.new_context(base_url=running_app.url, viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(30_000)
    await sign_up_in_browser(
        page, name="Cleo Chat", organization="Chat Co", email="cleo@chatflow.example", password="cleo-password-1"
    )

    await page.get_by_test_id("nav-brand-voice").first.click()
    await page.wait_for_url(re.compile(r".*/brand-voice$"))
    # Typed as soon as the field is there, without waiting for anything else: the form must not re-mount later.
    await page.get_by_test_id("space-banned_terms").fill("cheap")
    await page.get_by_test_id("space-sentence_length-min").fill("5")
    await page.get_by_test_id("space-sentence_length-max").fill("14")
    await page.get_by_test_id("brand-voice-loaded").wait_for(state="attached")
    await expect(page.get_by_test_id("space-banned_terms")).to_have_value("cheap")
    await page.get_by_test_id("space-save").click()
    await expect(page.get_by_test_id("effective-voice").filter(has_text="5-14")).to_have_count(1)
    await expect(page.get_by_test_id("space-sentence_length-max")).to_have_value("14")
    await page.screenshot(path=str(tmp_path / "brand-voice.png"), full_page=True)

    await page.get_by_test_id("nav-chat").first.click()
    await page.wait_for_url(re.compile(r".*/chat$"))
    await page.get_by_test_id("message-input").fill(
        f"Write a short launch post for the Team plan. {REPLY_WITH} {DRAFT}"
    )
    await page.get_by_test_id("send").click()
    await page.wait_for_url(re.compile(r".*/chat/[0-9a-f-]{36}$"))
    answer = page.get_by_test_id("answer")
    await expect(answer).to_contain_text("Book a demo this week.", timeout=120_000)
    await page.get_by_test_id("save-as-content").click()
    await page.get_by_test_id("save-as-blog_post").click()
    await expect(page.get_by_text("Saved as a blog post draft")).to_be_visible()

    await page.get_by_test_id("nav-content").first.click()
    await page.wait_for_url(re.compile(r".*/content$"))
    await page.get_by_test_id("content-title").first.click()
    await page.wait_for_url(re.compile(r".*/content/[0-9a-f-]{36}$"))
    await expect(page.get_by_test_id("content-body")).to_contain_text("Our cheap Team plan")
    # The fake's review calls the answer complete, so the run ends after one draft; a run that ends otherwise
    # (Stop, its step limit) carries a note in the chat that is no part of the saved content.
    await expect(page.get_by_test_id("content-body")).not_to_contain_text("Stopped")
    await expect(page.get_by_test_id("voice-score")).to_contain_text("/ 100")
    cheap = page.get_by_test_id("voice-flag").filter(has_text="'cheap'")
    await expect(cheap).to_contain_text("brand_voice.banned_terms")
    length = page.get_by_test_id("voice-flag").filter(has_text="brand_voice.sentence_length")
    await expect(length).to_contain_text("the target is 5-14")
    await expect(page.get_by_test_id("claim").filter(has_text="12,000 teams")).to_contain_text("unsupported")
    await page.screenshot(path=str(tmp_path / "saved-answer-scored.png"), full_page=True)

    await page.get_by_test_id("content-editor").fill(EDITED)
    await page.get_by_test_id("save-version").click()
    await expect(page.get_by_test_id("content-viewing")).to_have_text("Showing version 2 of 2")
    await expect(page.get_by_test_id("diff-delete").first).to_contain_text("cheap")
    await expect(page.get_by_test_id("diff-insert").first).to_contain_text("affordable")
    await expect(page.get_by_test_id("voice-flag").filter(has_text="'cheap'")).to_have_count(0)
    await expect(page.get_by_test_id("voice-flag").filter(has_text="brand_voice.sentence_length")).to_have_count(0)

    await page.get_by_test_id("action-submit").click()
    await expect(page.get_by_test_id("content-state")).to_have_text("In review")
    await page.get_by_test_id("action-approve").click()
    await expect(page.get_by_test_id("content-state")).to_have_text("Approved")
    await expect(page.get_by_test_id("transition").first).to_contain_text("Approve by cleo@chatflow.example")
    await context.close()
