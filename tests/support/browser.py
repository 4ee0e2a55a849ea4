"""Browser-tier helpers: the sign-up form is the browser's way to create a tenant (`tenants.py` is the API's)."""

from __future__ import annotations

import re
from typing import Any


async def sign_up_in_browser(page: Any, *, name: str, organization: str, email: str, password: str) -> None:
    """Fill the sign-up form on `page` and wait until the new owner lands on their dashboard."""
    await page.goto("/signup")
    await page.get_by_test_id("field-name").fill(name)
    await page.get_by_test_id("field-organization_name").fill(organization)
    await page.get_by_test_id("field-email").fill(email)
    await page.get_by_test_id("field-password").fill(password)
    await page.get_by_test_id("signup-submit").click()
    await page.wait_for_url(re.compile(r".*/dashboard$"))


async def space_names(page: Any) -> list[str]:
    """The spaces the space switcher offers, sorted (the switcher is closed again afterwards)."""
    await page.get_by_test_id("space-switcher").first.click()
    options = page.get_by_role("option")
    await options.first.wait_for()
    names = sorted(n.strip() for n in await options.all_text_contents())
    await page.keyboard.press("Escape")
    return names
