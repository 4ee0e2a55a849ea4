"""The review channel: list the channels a space's bot can use, and check a chosen one before it is stored.

Listing follows `conversations.list`'s cursor (public and private channels, archived ones left out) for at most
`MAX_PAGES` pages of `PAGE_SIZE`; a workspace with more says so (`complete` false) and the channel can still be
given by id or #name. Checking a channel (`conversations.info`) refuses one the bot is not in: for a public
channel the bot first tries to join it (`conversations.join`, scope `channels:join`), otherwise the answer says
whom to invite where. Slack's errors become messages that say what to do; nothing is stored by this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.core.errors import AppError, RateLimited, ServiceUnavailable, ValidationFailed
from backend.slack.client import SlackApiError, SlackClient, slack_error_code

PAGE_SIZE = 200
MAX_PAGES = 10
"""At most 2,000 channels are listed (ten calls); Slack's tier-2 rate limit allows about 20 a minute."""

_TOKEN_REFUSED = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    name: str
    is_private: bool
    is_member: bool


@dataclass(frozen=True, slots=True)
class ChannelList:
    channels: list[Channel]
    complete: bool


def _channel(raw: Any) -> Channel | None:
    if not isinstance(raw, dict) or not raw.get("id") or raw.get("is_archived"):
        return None
    return Channel(
        id=str(raw["id"]),
        name=str(raw.get("name") or raw["id"]),
        is_private=bool(raw.get("is_private")),
        is_member=bool(raw.get("is_member")),
    )


def slack_failure(exc: SlackApiError, doing: str) -> AppError:
    """Slack's refusal of `doing` ("list the channels") as an error that says what to do about it."""
    code = slack_error_code(exc)
    response: Any = exc.response
    body = response if isinstance(response, dict) else {}
    if code == "ratelimited":
        seconds = int(body.get("retry_after") or 30)
        return RateLimited(
            f"Slack is rate-limiting this workspace; try again in {seconds} s.",
            retry_after=seconds,
            code="slack_rate_limited",
        )
    if code == "unreachable":
        return ServiceUnavailable(f"Slack could not be reached to {doing}; try again.", code="slack_unreachable")
    if code == "missing_scope":
        needed = str(body.get("needed") or "a read scope")
        return ValidationFailed(
            f"The Slack app may not {doing}: it lacks the {needed} scope. Add it under OAuth & Permissions, "
            "reinstall the app, or give the channel by id.",
            code="slack_missing_scope",
        )
    if code in _TOKEN_REFUSED:
        return ValidationFailed(
            f"Slack no longer accepts the bot token ({code}); connect Slack again.", code="slack_token_invalid"
        )
    return ValidationFailed(f"Slack refused to {doing} ({code}).", code="slack_refused")


async def list_channels(client: SlackClient) -> ChannelList:
    """The channels the bot can see, by name; raises `slack_failure` errors."""
    found: dict[str, Channel] = {}
    cursor = ""
    for _ in range(MAX_PAGES):
        try:
            page = await client.conversations_list(cursor=cursor, limit=PAGE_SIZE)
        except SlackApiError as exc:
            raise slack_failure(exc, "list the channels") from None
        for raw in page.get("channels") or []:
            channel = _channel(raw)
            if channel is not None:
                found[channel.id] = channel
        meta = page.get("response_metadata")
        cursor = str(meta.get("next_cursor") or "") if isinstance(meta, dict) else ""
        if not cursor:
            return ChannelList(sorted(found.values(), key=lambda c: c.name), complete=True)
    return ChannelList(sorted(found.values(), key=lambda c: c.name), complete=False)


def _is_id(channel: str) -> bool:
    return channel[:1] in "CG" and channel.isupper() and channel.isalnum()


async def _resolve_name(client: SlackClient, name: str) -> str:
    listed = await list_channels(client)
    for channel in listed.channels:
        if channel.name == name:
            return channel.id
    more = "" if listed.complete else " among the first channels listed; give its id (C0123ABC) instead"
    raise ValidationFailed(
        f"No channel #{name} that the bot can see{more}. For a private channel, invite the bot first.",
        code="slack_channel_not_found",
    )


async def check_channel(client: SlackClient, channel: str, *, bot_name: str = "") -> Channel:
    """The chosen channel (an id, or a #name resolved through the list) once the bot can post in it.

    A public channel the bot is not in is joined when the token may; otherwise, and for a private channel, a
    ValidationFailed says to invite the bot there. Archived and unknown channels are refused.
    """
    channel_id = channel if _is_id(channel) else await _resolve_name(client, channel.lstrip("#"))
    try:
        info = (await client.conversations_info(channel=channel_id)).get("channel")
    except SlackApiError as exc:
        if slack_error_code(exc) == "channel_not_found":
            raise ValidationFailed(
                f"No channel {channel} that the bot can see. For a private channel, invite the bot first.",
                code="slack_channel_not_found",
            ) from None
        raise slack_failure(exc, "read the channel") from None
    if isinstance(info, dict) and info.get("is_archived"):
        raise ValidationFailed(
            f"#{info.get('name', channel)} is archived; pick another channel.", code="slack_archived"
        )
    found = _channel(info)
    if found is None:
        raise ValidationFailed(f"Slack did not describe the channel {channel}.", code="slack_refused")
    if found.is_member:
        return found
    invite = (
        f"Invite @{bot_name or 'the bot'} to #{found.name} in Slack (/invite @{bot_name or 'the bot'}), "
        "then pick the channel again."
    )
    if found.is_private:
        raise ValidationFailed(invite, code="slack_not_in_channel")
    try:
        await client.conversations_join(channel=found.id)
    except SlackApiError as exc:
        if slack_error_code(exc) in ("missing_scope", "method_not_supported_for_channel_type", "not_allowed"):
            raise ValidationFailed(invite, code="slack_not_in_channel") from None
        raise slack_failure(exc, "join the channel") from None
    return Channel(id=found.id, name=found.name, is_private=False, is_member=True)


__all__ = ["MAX_PAGES", "PAGE_SIZE", "Channel", "ChannelList", "check_channel", "list_channels", "slack_failure"]
