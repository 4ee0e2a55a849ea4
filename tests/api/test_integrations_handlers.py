"""The Integrations page's GA4 handlers, called as a browser would (including a hostile one naming another
space), against a fake Google on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from obelisk_app import routes
from obelisk_app.pages.integrations_state import IntegrationsState
from tests.api.world import World
from tests.support.fake_google import ALICE, BOB, FakeGoogle, serve_fake_google, two_accounts
from tests.support.tenants import Tenant
from tests.support.ui import Tab


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    with serve_fake_google(monkeypatch, two_accounts()) as fake:
        yield fake


def _page(tenant: Tenant, space_id: str | None = None, query: str = "") -> IntegrationsState:
    tab = Tab(tenant.token, space_id or tenant.space_id, route=routes.INTEGRATIONS + query)
    return tab.state(IntegrationsState)


def _redirect_target(event: Any) -> str:
    return str(dict((str(k), getattr(v, "_var_value", v)) for k, v in event.args)["path"])


async def _press_connect(client: httpx.AsyncClient, page: IntegrationsState) -> str:
    """Connect → Google's consent → the callback; returns where the callback sends the browser."""
    event = await IntegrationsState.connect.fn(page)
    assert page.error == "", page.error
    async with httpx.AsyncClient() as browser:
        at_google = await browser.get(_redirect_target(event))
    back = urlsplit(at_google.headers["location"])
    callback = await client.get(f"{back.path}?{back.query}")
    assert callback.status_code == 303
    return str(callback.headers["location"])


async def test_an_admin_connects_picks_a_property_and_disconnects(
    client: httpx.AsyncClient, signup: Any, google: FakeGoogle
) -> None:
    ada = await signup("ada")
    page = _page(ada)
    await IntegrationsState.load.fn(page)
    assert (page.connected, page.configured, page.properties) == (False, True, [])

    landed = await _press_connect(client, page)
    assert urlsplit(landed).path == routes.INTEGRATIONS
    page = _page(ada, query="?" + urlsplit(landed).query)
    await IntegrationsState.load.fn(page)
    assert page.notice == "GA4 connected." and page.connected and not page.needs_reconnect
    assert page.properties == [{"id": "111", "name": "alpha.example", "account": "Alpha Inc"}]
    assert "pick the GA4 property" in page.message

    await IntegrationsState.choose_property.fn(page, "not a property")
    assert "Pick one of the listed" in page.error and page.property_id == ""
    await IntegrationsState.choose_property.fn(page, "222")  # Bob's property: not readable by this grant
    assert "cannot read" in page.error and page.property_id == ""
    await IntegrationsState.choose_property.fn(page, "111")
    assert page.error == "" and (page.property_id, page.property_name) == ("111", "alpha.example")

    google.revoke_everything_of(ALICE)  # the next visit finds out while listing properties
    await IntegrationsState.load.fn(page)
    assert page.error == "" and page.needs_reconnect and "reconnect GA4" in page.message and page.properties == []

    await IntegrationsState.disconnect.fn(page)
    assert not page.connected and page.error == ""


async def test_callback_errors_become_sentences(client: httpx.AsyncClient, signup: Any, google: FakeGoogle) -> None:
    ada = await signup("ada")
    for code, words in (("expired_state", "expired"), ("invalid_state", "already used"), ("???", "could not")):
        page = _page(ada, query=f"?ga4_error={code}")
        await IntegrationsState.load.fn(page)
        assert words in page.notice and not page.connected


async def test_ga4_handlers_refuse_another_space(client: httpx.AsyncClient, world: World, google: FakeGoogle) -> None:
    w = world
    google.consent_as = BOB
    eve_page = _page(w.eve)
    await _press_connect(client, eve_page)
    await IntegrationsState.choose_property.fn(eve_page, "222")
    assert eve_page.property_id == "222"

    page = _page(w.ada, w.eve.space_id)  # A's token, B's space id from the "browser"
    await IntegrationsState.load.fn(page)
    assert page.error and not page.connected and page.properties == [] and page.property_name == ""
    assert await IntegrationsState.connect.fn(page) is not None and page.error
    await IntegrationsState.choose_property.fn(page, "111")
    await IntegrationsState.disconnect.fn(page)
    assert "bravo" not in str(page.dict()) and w.b_secret not in str(page.dict())

    await IntegrationsState.load.fn(eve_page)
    assert eve_page.connected and eve_page.property_id == "222" and not google.revoked_tokens

    mine = _page(w.ada)  # and A's own space shows nothing of B's connection
    await IntegrationsState.load.fn(mine)
    assert not mine.connected and mine.property_id == ""
