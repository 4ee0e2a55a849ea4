"""In a real browser: an answer streams in word by word; a reload mid-answer shows what was there and continues
with no word twice; a second tab on the same conversation follows the same run live; Stop ends the answer,
which can then be saved as content; a blocked answer never shows its link, and its notice replaces what
streamed, also after a reload.

The app's fake chat model streams a word every 0.2 s (FAKE_CHAT_STREAM_PAUSE_SECONDS in the tier's conftest)
and answers with "Fake reply to: " and the first 200 characters of its last prompt message, the answer
request, so the whole answer is known here (the answer check may then block it as an echoed instruction: the
history shows how it ended; what is checked here is the stream). Every text the page shows while streaming
must be a prefix of it: a duplicated or lost token breaks that.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from backend.agents.graph.prompts import ANSWER_REQUEST
from tests.e2e.conftest import RunningApp
from tests.support.browser import sign_up_in_browser

pytestmark = pytest.mark.e2e

ANSWER = f"Fake reply to: {ANSWER_REQUEST[:200]}"
CONVERSATION_URL = re.compile(r".*/chat/[0-9a-f-]{36}$")


async def _signed_up_chat(browser: Any, running_app: RunningApp, who: str) -> tuple[Any, Any]:
    context = await browser.new_context(base_url=running_app.url, viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(30_000)
    await sign_up_in_browser(
        page, name=who.capitalize(), organization=f"{who} Org", email=f"{who}@chat.example", password=f"{who}-pass-123"
    )
    await page.get_by_test_id("nav-chat").first.click()
    await page.wait_for_url(re.compile(r".*/chat$"))
    return context, page


async def _send(page: Any, message: str) -> None:
    await page.get_by_test_id("message-input").fill(message)
    await page.get_by_test_id("send").click()
    await page.wait_for_url(CONVERSATION_URL)


_LIVE = """() => [document.querySelector('[data-testid="run-status"]')?.innerText ?? '',
                document.querySelector('[data-testid="live-answer"]')?.innerText ?? '']"""


async def _live(page: Any) -> tuple[str, str]:
    """The live run's status and text, "" once it has moved to the history (read in one step: it can vanish)."""
    status, text = await page.evaluate(_LIVE)
    return str(status), str(text).strip()


async def _live_text(page: Any) -> str:
    return (await _live(page))[1]


async def _watch_until_answered(page: Any, seen: list[str]) -> None:
    """Record what the live answer shows until the answer moves to the history; each view must be a prefix."""
    for _ in range(2400):
        status, text = await _live(page)
        if text and status == "running":  # once it ended, a blocked draft gives way to the notice
            assert ANSWER.startswith(text), f"not a prefix of the answer (a word twice or lost?): {text!r}"
            seen.append(text)
        if await page.get_by_test_id("answer").count():
            return
        await page.wait_for_timeout(50)
    raise AssertionError("the answer never reached the history")


async def test_an_answer_streams_and_a_reload_mid_answer_continues_it(browser: Any, running_app: RunningApp) -> None:
    context, page = await _signed_up_chat(browser, running_app, "rita")
    await _send(page, "How should we position the spring launch?")
    live = page.get_by_test_id("live-answer")
    await expect(live).to_contain_text("Fake reply")
    await expect(page.get_by_test_id("run-status")).to_have_text("running")
    await expect(page.get_by_test_id("run-step").first).to_be_visible()
    await expect(live).to_contain_text(re.compile(r"(\S+\s+){5}\S+"))  # six words or more
    before = await _live_text(page)
    assert ANSWER.startswith(before)

    await page.reload()
    await expect(live).to_contain_text(before)  # what was there is back at once...
    seen: list[str] = []
    await _watch_until_answered(page, seen)  # ...and continues, each word once
    assert any(len(s) > len(before) for s in seen), "the stream went on after the reload"
    answer = page.get_by_test_id("answer")
    await expect(answer).to_have_count(1)
    assert (await answer.inner_text()).strip(), "the finished answer is in the history (how it ended beside it)"
    await expect(page.get_by_test_id("user-message")).to_have_text("How should we position the spring launch?")
    await expect(page.get_by_test_id("conversation-link")).to_have_count(1)
    await context.close()


async def test_a_second_tab_follows_the_same_run_live(browser: Any, running_app: RunningApp) -> None:
    context, page = await _signed_up_chat(browser, running_app, "tess")
    await _send(page, "Draft three subject lines")
    await expect(page.get_by_test_id("live-answer")).to_contain_text("Fake reply")
    other = await context.new_page()  # same sign-in, its own Reflex state
    other.set_default_timeout(30_000)
    await other.goto(page.url)
    await expect(other.get_by_test_id("run-status")).to_have_text("running")
    seen: list[str] = []
    await _watch_until_answered(other, seen)
    assert len(set(seen)) >= 2, "the second tab saw the answer grow"
    first_answer = await page.get_by_test_id("answer").inner_text()
    assert await other.get_by_test_id("answer").inner_text() == first_answer
    await context.close()


async def test_stop_keeps_what_was_written_and_it_can_be_saved(browser: Any, running_app: RunningApp) -> None:
    context, page = await _signed_up_chat(browser, running_app, "sam")
    await page.get_by_test_id("agent-picker").click()
    await page.get_by_role("option", name="Strategy").click()
    await _send(page, "Plan the next quarter")
    await expect(page.get_by_test_id("live-answer")).to_contain_text(re.compile(r"(\S+\s+){2}\S+"))
    await page.get_by_test_id("stop").click()
    await expect(page.get_by_test_id("stop-label")).to_have_text("Stopped on request")
    answer = await page.get_by_test_id("answer").inner_text()
    assert answer.startswith("Fake reply") and "(Stopped.)" in answer and ANSWER not in answer
    await expect(page.get_by_test_id("conversation-title")).to_contain_text("Plan the next quarter")
    await page.get_by_test_id("save-as-content").click()
    await page.get_by_test_id("save-as-blog_post").click()
    await expect(page.get_by_text("Saved as a blog post draft")).to_be_visible()
    await context.close()


async def test_a_blocked_answer_never_shows_its_link_and_the_notice_replaces_what_streamed(
    browser: Any, running_app: RunningApp
) -> None:
    context, page = await _signed_up_chat(browser, running_app, "bea")
    # The app's fake model writes what follows "Reply with:"; the space holds no document, so no address may
    # appear in an answer: the link is held back while it streams and blocks the answer once it is whole.
    link = "https://reset.evil.example/a?u=bea"
    await _send(page, f"Write the reset note. Reply with: alpha bravo charlie delta {link} done")
    await expect(page.get_by_test_id("live-answer")).to_contain_text("alpha bravo")
    for _ in range(600):
        assert "evil.example" not in await _live_text(page)
        if await page.get_by_test_id("answer").count():
            break
        await page.wait_for_timeout(50)
    answer = page.get_by_test_id("answer")
    await expect(answer).to_contain_text("The answer was blocked")
    await expect(page.get_by_test_id("stop-label")).to_contain_text("Blocked")
    assert "alpha" not in await answer.inner_text() and not await page.get_by_test_id("live-answer").count()
    await page.reload()
    await expect(answer).to_contain_text("The answer was blocked")
    assert "alpha" not in await answer.inner_text()
    await context.close()
