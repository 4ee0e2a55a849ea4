"""Picking the Slack review channel over HTTP, against the fake Slack Web API on 127.0.0.1: the channel list
follows Slack's pagination; a channel the bot is in is stored by id; one it cannot post in is refused with what
to do and nothing changes; Slack's errors (missing scope, revoked token, rate limit) read clearly; a space's
listing and checks only ever use its own connection's token.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from backend.slack import channels
from tests.support.fake_slack import BOT_NAME, MEMBER_CHANNELS, FakeSlack, fake_slack_server
from tests.support.tenants import Tenant, new_tenant

SECRET = "0123456789abcdef" * 2
TOKEN = "xoxb-fake-bot-token"
OTHER_TOKEN = "xoxb-other-workspace"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with fake_slack_server() as (fake, _url):
        fake.tokens.add(OTHER_TOKEN)
        yield fake


async def _connect(http: httpx.AsyncClient, owner: Tenant, *, token: str = TOKEN, channel: str = "") -> Any:
    body = {"bot_token": token, "signing_secret": SECRET, "channel": channel}
    return await http.put("/api/v1/integrations/slack", json=body, headers=owner.headers())


async def _status(http: httpx.AsyncClient, owner: Tenant) -> dict[str, Any]:
    return dict((await http.get("/api/v1/integrations/slack", headers=owner.headers())).json())


async def test_the_list_follows_slacks_pagination(
    live: httpx.AsyncClient, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    assert (await _connect(live, ada)).status_code == 200
    slack.add_channels([f"campaign-{n:02d}" for n in range(9)])
    monkeypatch.setattr(channels, "PAGE_SIZE", 4)  # 15 visible channels: 4 pages
    listed = await live.get("/api/v1/integrations/slack/channels", headers=ada.headers())
    assert listed.status_code == 200, listed.text
    body = listed.json()
    names = [c["name"] for c in body["channels"]]
    expected = sorted([*MEMBER_CHANNELS, "general", "design-crit", *(f"campaign-{n:02d}" for n in range(9))])
    assert body["complete"] is True and names == expected
    assert "leadership" not in names and "old-campaigns" not in names  # private without the bot; archived
    calls = slack.called("conversations.list")
    assert len(calls) == 4 and [c.body.get("cursor", "") == "" for c in calls] == [True, False, False, False]
    assert {c.body["types"] for c in calls} == {"public_channel,private_channel"}
    assert {c.body["exclude_archived"] for c in calls} == {"true"} and {c.token for c in calls} == {TOKEN}
    by_name = {c["name"]: c for c in body["channels"]}
    assert by_name["design-crit"]["is_private"] is True and by_name["general"]["is_member"] is False

    monkeypatch.setattr(channels, "MAX_PAGES", 2)  # a workspace larger than the listing reads says so
    capped = (await live.get("/api/v1/integrations/slack/channels", headers=ada.headers())).json()
    assert capped["complete"] is False and len(capped["channels"]) == 8


async def test_picking_a_channel_the_bot_is_in_stores_its_id(live: httpx.AsyncClient, slack: FakeSlack) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    assert (await _connect(live, ada)).status_code == 200
    assert (await _status(live, ada))["channel"] is None
    not_yet = await live.post(
        "/api/v1/content",
        json={"title": "Plan", "type": "email", "body": "Our customers publish weekly reports."},
        headers=ada.headers(),
    )
    refused = await live.post(f"/api/v1/content/{not_yet.json()['id']}/slack-review", headers=ada.headers())
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "slack_no_channel"

    private = FakeSlack.channel_id("#design-crit").replace("C", "G", 1)
    picked = await live.put("/api/v1/integrations/slack/channel", json={"channel": private}, headers=ada.headers())
    assert picked.status_code == 200, picked.text
    assert (picked.json()["channel"], picked.json()["channel_id"]) == ("#design-crit", private)
    assert [c.body["channel"] for c in slack.called("conversations.info")] == [private]
    assert slack.called("conversations.join") == []

    sent = await live.post(f"/api/v1/content/{not_yet.json()['id']}/slack-review", headers=ada.headers())
    assert sent.status_code == 202 and sent.json()["channel"] == private

    by_name = await live.put("/api/v1/integrations/slack/channel", json={"channel": "#launches"}, headers=ada.headers())
    assert by_name.status_code == 200 and by_name.json()["channel_id"] == FakeSlack.channel_id("#launches")


async def test_a_public_channel_is_joined_when_the_bot_may(live: httpx.AsyncClient, slack: FakeSlack) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    general = FakeSlack.channel_id("#general")
    made = await _connect(live, ada, channel=general)
    assert made.status_code == 200, made.text
    assert made.json()["channel"] == "#general"
    assert [c.body["channel"] for c in slack.called("conversations.join")] == [general]
    assert slack.channels[general]["is_member"] is True


async def test_a_channel_the_bot_cannot_post_in_is_refused_and_nothing_changes(
    live: httpx.AsyncClient, slack: FakeSlack
) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    assert (await _connect(live, ada, channel="#content-review")).status_code == 200
    before = await _status(live, ada)
    slack.scopes.discard("channels:join")

    def put(channel: str) -> Any:
        return live.put("/api/v1/integrations/slack/channel", json={"channel": channel}, headers=ada.headers())

    general = await put(FakeSlack.channel_id("#general"))
    assert general.status_code == 422
    assert general.json()["error"] == {
        **general.json()["error"],
        "code": "slack_not_in_channel",
        "message": f"Invite @{BOT_NAME} to #general in Slack (/invite @{BOT_NAME}), then pick the channel again.",
    }
    hidden = await put(FakeSlack.channel_id("#leadership").replace("C", "G", 1))  # private, bot not invited
    assert hidden.status_code == 422 and hidden.json()["error"]["code"] == "slack_channel_not_found"
    unknown = await put("#no-such-channel")
    assert unknown.status_code == 422 and "No channel #no-such-channel" in unknown.json()["error"]["message"]
    archived = await put(FakeSlack.channel_id("#old-campaigns"))
    assert archived.status_code == 422 and "archived" in archived.json()["error"]["message"]
    bad = await put("Not a channel!")
    assert bad.status_code == 422

    # Connecting with a channel the bot cannot use stores nothing, not even the token.
    eve = await new_tenant("eve", "Bravo", client=live)
    refused = await _connect(live, eve, channel=FakeSlack.channel_id("#general"))
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "slack_not_in_channel"
    assert (await _status(live, eve))["connected"] is False

    assert await _status(live, ada) == before
    assert before["channel"] == "#content-review"


async def test_slacks_errors_read_clearly_and_change_nothing(live: httpx.AsyncClient, slack: FakeSlack) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    assert (await _connect(live, ada, channel="#content-review")).status_code == 200
    before = await _status(live, ada)
    listing = "/api/v1/integrations/slack/channels"

    slack.rate_limit["conversations.list"] = 42
    limited = await live.get(listing, headers=ada.headers())
    assert limited.status_code == 429 and limited.headers["retry-after"] == "42"
    assert limited.json()["error"]["message"] == "Slack is rate-limiting this workspace; try again in 42 s."

    slack.scopes.discard("groups:read")
    scope = await live.get(listing, headers=ada.headers())
    assert scope.status_code == 422 and scope.json()["error"]["code"] == "slack_missing_scope"
    assert "lacks the groups:read scope" in scope.json()["error"]["message"]
    slack.scopes.discard("channels:read")
    picked = await live.put(
        "/api/v1/integrations/slack/channel", json={"channel": FakeSlack.channel_id("#launches")}, headers=ada.headers()
    )
    assert picked.status_code == 422 and "lacks the channels:read scope" in picked.json()["error"]["message"]

    slack.tokens.discard(TOKEN)  # the token was revoked in Slack
    revoked = await live.get(listing, headers=ada.headers())
    assert revoked.status_code == 422 and revoked.json()["error"]["code"] == "slack_token_invalid"
    assert "connect Slack again" in revoked.json()["error"]["message"]
    assert await _status(live, ada) == before


async def test_only_the_spaces_own_connection_is_used(live: httpx.AsyncClient, slack: FakeSlack) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    eve = await new_tenant("eve", "Bravo", client=live)
    assert (await _connect(live, eve, token=OTHER_TOKEN, channel="#bravo-reviews")).status_code == 200
    calls = len(slack.calls)

    none = await live.get("/api/v1/integrations/slack/channels", headers=ada.headers())
    assert none.status_code == 404 and none.json()["error"]["code"] == "slack_not_connected"
    put = await live.put("/api/v1/integrations/slack/channel", json={"channel": "#launches"}, headers=ada.headers())
    assert put.status_code == 404
    for method, body in (("GET", None), ("PUT", {"channel": "#launches"})):
        path = "/api/v1/integrations/slack/channels" if method == "GET" else "/api/v1/integrations/slack/channel"
        crossed = await live.request(method, path, json=body, headers=ada.headers(eve.space_id))
        assert crossed.status_code in (403, 404), crossed.text
    assert len(slack.calls) == calls, "eve's token was never used for ada"

    assert (await _connect(live, ada, channel="#content-review")).status_code == 200
    assert (await live.get("/api/v1/integrations/slack/channels", headers=ada.headers())).status_code == 200
    assert {c.token for c in slack.calls[calls:]} == {TOKEN}
    assert (await _status(live, eve))["channel"] == "#bravo-reviews"
