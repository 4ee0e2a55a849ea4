"""In a real browser: a space admin connects Slack for reviews (the app pointed at a fake Slack Web API on
127.0.0.1 through SLACK_API_URL), picks the review channel from the workspace's channels (one the bot cannot
post in is refused with what to do), sees the workspace and channel, and disconnects; a bad secret gets a
reason."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import RunningApp
from tests.support.browser import sign_up_in_browser
from tests.support.fake_slack import BOT_NAME, TEAM_NAME, FakeSlack

pytestmark = pytest.mark.e2e


@pytest.fixture
def slack_app(running_app: RunningApp, fake_slack: tuple[FakeSlack, str]) -> tuple[RunningApp, FakeSlack]:
    """The tier's app, which talks to the session's fake Slack (SLACK_API_URL is set when it starts)."""
    return running_app, fake_slack[0]


async def test_admin_connects_and_disconnects_slack(browser: Any, slack_app: tuple[RunningApp, FakeSlack]) -> None:
    app, fake = slack_app
    context = await browser.new_context(base_url=app.url)
    page = await context.new_page()
    page.set_default_timeout(30_000)
    await sign_up_in_browser(
        page, name="Sally Admin", organization="Slack Co", email="sally@slack.example", password="sally-password-1"
    )
    await page.get_by_test_id("nav-integrations").first.click()
    await page.get_by_test_id("integrations-slack").click()
    await page.wait_for_url(re.compile(r".*/integrations/slack$"))

    await page.get_by_test_id("slack-bot_token").fill("xoxb-fake-bot-token")
    await page.get_by_test_id("slack-signing_secret").fill("not-a-hex-secret-at-all")
    await page.get_by_test_id("slack-connect").click()
    await expect(page.get_by_text("Signing secret: the signing secret is the hexadecimal value").first).to_be_visible()
    assert fake.called("auth.test") == []

    await page.get_by_test_id("slack-bot_token").fill("xoxb-fake-bot-token")
    await page.get_by_test_id("slack-signing_secret").fill("0123456789abcdef" * 2)
    await page.get_by_test_id("slack-connect").click()
    await expect(page.get_by_test_id("slack-team")).to_contain_text(TEAM_NAME)
    await expect(page.get_by_test_id("slack-review-channel")).to_contain_text("No review channel yet")
    assert [c.token for c in fake.called("auth.test")] == ["xoxb-fake-bot-token"]

    # A private channel the bot is not in is invisible to it; a public one it may not join is refused.
    fake.scopes.discard("channels:join")
    await page.get_by_test_id("slack-channel-select").click()
    await expect(page.get_by_role("option", name="#design-crit (private)")).to_be_visible()
    await expect(page.get_by_role("option", name="#leadership (private)")).to_have_count(0)
    await page.get_by_role("option", name="#general").click()
    await expect(page.get_by_text(f"Invite @{BOT_NAME} to #general in Slack").first).to_be_visible()
    await expect(page.get_by_test_id("slack-review-channel")).to_contain_text("No review channel yet")
    fake.scopes.add("channels:join")

    fake.add_channels(["content-review-2027"])  # created in Slack meanwhile: Refresh lists it
    await page.get_by_test_id("slack-channels-refresh").click()
    await page.get_by_test_id("slack-channel-select").click()
    await page.get_by_role("option", name="#content-review-2027").click()
    await expect(page.get_by_test_id("slack-review-channel")).to_contain_text("#content-review-2027")

    await page.reload()
    await expect(page.get_by_test_id("slack-team")).to_contain_text(TEAM_NAME)
    await expect(page.get_by_test_id("slack-review-channel")).to_contain_text("#content-review-2027")
    await page.get_by_test_id("slack-disconnect").click()
    await expect(page.get_by_test_id("slack-connect")).to_be_visible()
    await context.close()
