"""The Slack page's handlers as a hostile browser calls them: space A's admin naming space B changes nothing
of B's connection and learns nothing of it; a viewer cannot connect; bad input gets a clear reason."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from obelisk_app.pages.slack_state import SlackReviewState, SlackState
from obelisk_app.routes import CONTENT_ITEM
from tests.api.world import World
from tests.support.fake_slack import TEAM_NAME, FakeSlack, fake_slack_server
from tests.support.ui import Tab, tab_of

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
    calls = len(slack.calls)
    state = Tab(w.ada.token, w.eve.space_id).state(SlackState)  # A's token, B's space id from the "browser"
    await SlackState.load.fn(state)
    assert state.error and state.connected is False and "bravo" not in str(state.dict())
    await SlackState.disconnect.fn(state)
    await SlackState.connect.fn(state, {**FORM, "channel": "#hijacked"})
    await SlackState.start_install.fn(state, {"channel": "#hijacked"})
    assert state.error and state.install_url == ""
    launches = FakeSlack.channel_id("#launches")
    for attempt in (
        SlackState.refresh_channels.fn(state),
        SlackState.choose_channel.fn(state, launches),
        SlackState.choose_typed_channel.fn(state, {"channel": launches}),
    ):
        state.error = ""
        await attempt
        assert state.error and state.channel_options == []
    status = (await client.get("/api/v1/integrations/slack", headers=w.eve.headers())).json()
    assert (status["connected"], status["channel"]) == (True, "#bravo-reviews")
    assert len(slack.calls) == calls, "B's page was never used to call Slack"


async def test_slack_page_picks_the_review_channel_from_the_list(
    client: httpx.AsyncClient, world: World, slack: FakeSlack
) -> None:
    state = Tab(world.ada.token, world.ada.space_id).state(SlackState)
    await SlackState.connect.fn(state, {k: v for k, v in FORM.items() if k != "channel"})
    assert (state.connected, state.channel, state.error) == (True, "", "")
    labels = [o["label"] for o in state.channel_options]
    assert labels[:3] == ["#bravo-reviews", "#content-review", "#design-crit (private)"] and "#general" in labels
    assert state.channels_error == "" and state.channels_complete is True

    bravo = FakeSlack.channel_id("#bravo-reviews")
    await SlackState.choose_channel.fn(state, bravo)
    assert (state.channel, state.channel_id, state.error) == ("#bravo-reviews", bravo, "")

    slack.scopes.discard("channels:join")
    await SlackState.choose_channel.fn(state, FakeSlack.channel_id("#general"))
    assert state.error == "Invite @obelisk to #general in Slack (/invite @obelisk), then pick the channel again."
    assert (state.channel, state.channel_id) == ("#bravo-reviews", bravo)

    # Slack will not list the channels: the page says why and takes the channel typed in.
    slack.rate_limit["conversations.list"] = 30
    await SlackState.refresh_channels.fn(state)
    assert state.channels_error == "Slack is rate-limiting this workspace; try again in 30 s."
    assert state.channel_options == [] and state.error == ""
    await SlackState.choose_typed_channel.fn(state, {"channel": "not a channel"})
    assert state.error.startswith("Review channel:") and state.channel == "#bravo-reviews"
    await SlackState.choose_typed_channel.fn(state, {"channel": FakeSlack.channel_id("#launches")})
    assert (state.channel, state.error) == ("#launches", "")
    await SlackState.refresh_channels.fn(state)
    assert state.channels_error == "" and len(state.channel_options) == len(labels)


async def _item(client: httpx.AsyncClient, headers: dict[str, str], title: str) -> str:
    body = {"title": title, "type": "email", "body": "Our customers publish weekly reports with Acme Insights."}
    made = await client.post("/api/v1/content", json=body, headers=headers)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def test_send_to_slack_button_posts_the_pages_item(
    client: httpx.AsyncClient, world: World, slack: FakeSlack
) -> None:
    w = world
    assert (await client.put("/api/v1/integrations/slack", json=FORM, headers=w.ada.headers())).status_code == 200
    item_id = await _item(client, w.ada.headers(), "Alpha newsletter")
    page = tab_of(w.ada, route=CONTENT_ITEM, params={"content_id": item_id}).state(SlackReviewState)
    await SlackReviewState.send.fn(page)
    assert page.error == "" and page.posted_in == FakeSlack.channel_id("#bravo-reviews")
    assert [c.body["metadata"]["event_payload"]["item_id"] for c in slack.called("chat.postMessage")] == [item_id]
    item = (await client.get(f"/api/v1/content/{item_id}", headers=w.ada.headers())).json()
    assert item["state"] == "in_review"


async def test_send_to_slack_button_refuses_another_spaces_item(
    client: httpx.AsyncClient, world: World, slack: FakeSlack
) -> None:
    w = world
    for owner in (w.ada, w.eve):
        assert (await client.put("/api/v1/integrations/slack", json=FORM, headers=owner.headers())).status_code == 200
    theirs = await _item(client, w.eve.headers(), "Bravo secret launch")
    # A's tab, in A's space, on a route naming B's item.
    page = tab_of(w.ada, route=CONTENT_ITEM, params={"content_id": theirs}).state(SlackReviewState)
    await SlackReviewState.send.fn(page)
    assert page.error and page.posted_in == "" and "Bravo" not in str(page.dict())
    # A's token naming B's space.
    page = Tab(w.ada.token, w.eve.space_id, route=CONTENT_ITEM, params={"content_id": theirs}).state(SlackReviewState)
    await SlackReviewState.send.fn(page)
    assert page.error and page.posted_in == ""
    assert slack.called("chat.postMessage") == []
    item = (await client.get(f"/api/v1/content/{theirs}", headers=w.eve.headers())).json()
    assert item["state"] == "draft"
