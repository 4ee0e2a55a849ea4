"""In a real browser: an admin opens Agents from the sidebar, adjusts the Brand agent, sees the default beside
the new value, and restores the defaults."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import RunningApp
from tests.support.browser import sign_up_in_browser

pytestmark = pytest.mark.e2e


async def test_admin_adjusts_an_agent_and_restores_its_defaults(browser: Any, running_app: RunningApp) -> None:
    context = await browser.new_context(base_url=running_app.url)
    page = await context.new_page()
    page.set_default_timeout(30_000)
    await sign_up_in_browser(
        page, name="Agnes Admin", organization="Agents Co", email="agnes@agents.example", password="agnes-password-1"
    )

    await page.get_by_test_id("nav-agents").first.click()
    await page.wait_for_url(re.compile(r".*/agents$"))
    await expect(page.get_by_test_id("brand-temperature")).to_have_text("0.7")
    await expect(page.get_by_test_id("seo-collections")).to_have_text("seo_guidelines, competitor_analysis")

    await page.get_by_test_id("edit-brand").click()
    await page.get_by_test_id("agent-temperature").fill("0.4")
    await page.get_by_test_id("agent-extra_instructions").fill("Never use exclamation marks.")
    await page.get_by_test_id("agent-save").click()
    await expect(page.get_by_test_id("brand-temperature")).to_have_text("0.4")
    card = page.get_by_test_id("agent-card-brand")
    await expect(card).to_contain_text("default 0.7")
    await expect(page.get_by_test_id("brand-instructions")).to_have_text("Never use exclamation marks.")

    await page.reload()
    await expect(page.get_by_test_id("brand-temperature")).to_have_text("0.4")
    await card.get_by_role("button", name="Reset to defaults").click()
    await expect(page.get_by_test_id("brand-temperature")).to_have_text("0.7")
    await context.close()
