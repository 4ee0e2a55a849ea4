"""The Slack page's handlers as a hostile browser calls them: space A's admin naming space B changes nothing
of B's connection and learns nothing of it; a viewer cannot connect; bad input gets a clear reason."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from obelisk_app.pages.slack_state import SlackState
from tests.api.world import World
from tests.support.fake_slack import TEAM_NAME, FakeSlack, fake_slack_server
from tests.support.ui import Tab

FORM = {"bot_token": "xoxb-fake-bot-token", "signing_secret": "0123456789abcdef" * 2, "channel": "#bravo-reviews"}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with fake_slack_server() as (fake, _url):
        yield fake


async def test_slack_handlers_connect_show_and_disconnect(
    client: httpx.AsyncClient, world: World, slack: FakeSlack
) -> None:
    state = Tab(world.ada.token, world.ada.space_id).state(SlackState)
    await SlackState.load.fn(state)
    assert state.connected is False and state.error == ""
    await SlackState.connect.fn(state, {**FORM, "signing_secret": "not-hex-but-long-enough"})
    assert state.error.startswith("Signing secret:") and "hexadecimal" in state.error and state.connected is False
    await SlackState.connect.fn(state, FORM)
    assert (state.connected, state.team, state.channel, state.error) == (True, TEAM_NAME, "#bravo-reviews", "")
    assert "xoxb" not in str(state.dict()) and FORM["signing_secret"] not in str(state.dict())
    await SlackState.disconnect.fn(state)
    assert state.connected is False


async def test_slack_handlers_refuse_another_space(client: httpx.AsyncClient, world: World, slack: FakeSlack) -> None:
    w = world
    put = await client.put("/api/v1/integrations/slack", json=FORM, headers=w.eve.headers())
    assert put.status_code == 200, put.text
    state = Tab(w.ada.token, w.eve.space_id).state(SlackState)  # A's token, B's space id from the "browser"
    await SlackState.load.fn(state)
    assert state.error and state.connected is False and "bravo" not in str(state.dict())
    await SlackState.disconnect.fn(state)
    await SlackState.connect.fn(state, {**FORM, "channel": "#hijacked"})
    await SlackState.start_install.fn(state, {"channel": "#hijacked"})
    assert state.error and state.install_url == ""
    status = (await client.get("/api/v1/integrations/slack", headers=w.eve.headers())).json()
    assert (status["connected"], status["channel"]) == (True, "#bravo-reviews")
    assert len(slack.called("auth.test")) == 1, "B's page was never used to call Slack"
