"""A space's Slack connection against a fake Slack Web API on 127.0.0.1: the token is checked with
`auth.test`, credentials are stored encrypted and bound to their space, and no other space sees them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from backend.core.db import Database
from backend.core.errors import Forbidden, NotFound, ValidationFailed
from backend.slack import connection
from backend.slack.schemas import SlackConnectionUpdate
from backend.tenancy.context import SpaceContext
from tests.db.conftest import space_context
from tests.support.fake_slack import TEAM_NAME, FakeSlack, fake_slack_server

SECRET = "0123456789abcdef" * 2  # a made-up signing secret (32 hex characters, like Slack's)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with fake_slack_server() as (fake, _url):
        yield fake


def _body(token: str = "xoxb-fake-bot-token", channel: str = "#content-review") -> SlackConnectionUpdate:
    return SlackConnectionUpdate(bot_token=token, signing_secret=SECRET, channel=channel)


async def test_connect_checks_the_token_and_stores_secrets_encrypted(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], slack: FakeSlack
) -> None:
    alpha, bravo = spaces
    public = await connection.connect(alpha, _body())
    assert (public.connected, public.team, public.channel) == (True, TEAM_NAME, "#content-review")
    assert [c.token for c in slack.called("auth.test")] == ["xoxb-fake-bot-token"]

    async with db.tenant(alpha.scope) as session:
        raw = (
            await session.execute(text("SELECT bot_token_encrypted, signing_secret_encrypted FROM slack_connections"))
        ).one()
        creds = await connection.load_credentials(session, alpha.scope)
    assert b"xoxb-fake-bot-token" not in raw[0] and SECRET.encode() not in raw[1]
    assert creds is not None and (creds.bot_token, creds.signing_secret) == ("xoxb-fake-bot-token", SECRET)

    # Another space sees no connection, and its scope cannot read alpha's row even by its ids.
    assert (await connection.status(bravo)).connected is False
    async with db.tenant(bravo.scope) as session:
        assert (await session.execute(text("SELECT count(*) FROM slack_connections"))).scalar_one() == 0
        assert await connection.load_credentials(session, alpha.scope) is None


async def test_a_blob_moved_to_another_space_does_not_decrypt(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], slack: FakeSlack
) -> None:
    alpha, bravo = spaces
    await connection.connect(alpha, _body())
    async with db.tenant(alpha.scope) as session:
        row = (await session.execute(text("SELECT bot_token_encrypted FROM slack_connections"))).scalar_one()
    with pytest.raises(RuntimeError, match="cannot decrypt"):
        connection._open(bravo.scope, "bot_token", row)
    with pytest.raises(RuntimeError, match="cannot decrypt"):
        connection._open(alpha.scope, "signing_secret", row)


async def test_a_refused_token_changes_nothing(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], slack: FakeSlack
) -> None:
    alpha, _ = spaces
    with pytest.raises(ValidationFailed, match="invalid_auth"):
        await connection.connect(alpha, _body(token="xoxb-not-a-real-token"))
    assert (await connection.status(alpha)).connected is False


async def test_only_admins_connect_and_disconnect(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], slack: FakeSlack
) -> None:
    alpha, _ = spaces
    editor = space_context(alpha.organization_id, alpha.space_id, role="editor")
    with pytest.raises(Forbidden):
        await connection.connect(editor, _body())
    await connection.connect(alpha, _body())
    with pytest.raises(Forbidden):
        await connection.disconnect(editor)
    await connection.disconnect(alpha)
    assert (await connection.status(alpha)).connected is False
    with pytest.raises(NotFound):
        await connection.disconnect(alpha)


def test_bad_input_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="xoxb-"):
        SlackConnectionUpdate(bot_token="xoxp-user-token-123", signing_secret=SECRET, channel="#x")
    with pytest.raises(ValueError, match="hexadecimal"):
        SlackConnectionUpdate(bot_token="xoxb-123456789", signing_secret="not hex at all, sorry", channel="#x")
    with pytest.raises(ValueError, match="channel"):
        SlackConnectionUpdate(bot_token="xoxb-123456789", signing_secret=SECRET, channel="#Bad Channel!")
