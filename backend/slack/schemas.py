"""API shapes of the Slack domain."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

_CHANNEL = re.compile(r"^(#?[a-z0-9][a-z0-9._-]{0,79}|[CGD][A-Z0-9]{2,40})$")


def clean_channel(value: str) -> str:
    """A review channel as Slack names it (an id, or a #name in lower case); ValueError with the rule otherwise."""
    value = value.strip()
    if not _CHANNEL.fullmatch(value):
        raise ValueError("the channel is a channel id (C0123ABC) or a #name in lower case")
    return value


class SlackConnectionUpdate(BaseModel):
    """Connect a Slack workspace with a bot token and the app's signing secret, and optionally the review channel
    (checked with Slack first; without one, pick it afterwards from `GET /integrations/slack/channels`)."""

    bot_token: str = Field(min_length=10, max_length=300, description="The bot token (xoxb-...).")
    signing_secret: str = Field(min_length=16, max_length=200, description="The Slack app's signing secret.")
    channel: str = Field(default="", max_length=80, description="Review channel: an id (C0123...) or #name.")

    @field_validator("bot_token")
    @classmethod
    def _bot_token(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith("xoxb-"):
            raise ValueError("the bot token starts with xoxb- (Slack app → OAuth & Permissions → Bot User OAuth Token)")
        return value

    @field_validator("signing_secret")
    @classmethod
    def _signing_secret(cls, value: str) -> str:
        value = value.strip()
        if not re.fullmatch(r"[0-9a-fA-F]{16,200}", value):
            raise ValueError("the signing secret is the hexadecimal value under Basic Information → App Credentials")
        return value

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        return clean_channel(value) if value.strip() else ""


class SlackChannelChoice(BaseModel):
    """The review channel to use: an id from the channel list (or typed: an id or a #name)."""

    channel: str = Field(min_length=1, max_length=80, description="A channel id (C0123...) or #name.")

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        return clean_channel(value)


class SlackChannelPublic(BaseModel):
    """A channel of the workspace the bot can see."""

    id: str
    name: str
    is_private: bool
    is_member: bool = Field(description="Whether the bot is in it (a public one is joined when it is picked).")


class SlackChannelList(BaseModel):
    """The workspace's channels by name; `complete` is false when there were more than the listing reads."""

    channels: list[SlackChannelPublic]
    complete: bool


class SlackConnectionPublic(BaseModel):
    """The space's Slack connection as clients see it (never the token or the secret)."""

    connected: bool
    channel: str | None = Field(default=None, description="The review channel as shown (#name), none until picked")
    channel_id: str | None = Field(default=None, description="The review channel's id")
    team: str | None = None
    installed_via: str | None = None
    oauth_available: bool = False


class SlackInstallUrl(BaseModel):
    """Where to send the browser to install the Slack app into a workspace for this space."""

    url: str


class SlackInteractionReply(BaseModel):
    """What the interactions endpoint answers Slack: empty (`{}`) when handled, or a modal's field errors."""

    response_action: str | None = Field(default=None, description="`errors` when a modal's input is refused")
    errors: dict[str, str] | None = Field(default=None, description="Block id → message shown under the field")


class SlackReviewPosted(BaseModel):
    """Where the review message was posted: the channel id and the message timestamp."""

    channel: str
    ts: str


__all__ = [
    "SlackChannelChoice",
    "SlackChannelList",
    "SlackChannelPublic",
    "SlackConnectionPublic",
    "SlackConnectionUpdate",
    "SlackInstallUrl",
    "SlackReviewPosted",
    "clean_channel",
]
