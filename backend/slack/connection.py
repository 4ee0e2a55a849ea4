"""A space's Slack connection: connect with a bot token and signing secret (or Slack's OAuth v2 install flow),
read its status, disconnect, and decrypt its credentials for the bridge's own calls.

Credentials are AES-GCM encrypted under the master key with the space and the secret's purpose as associated
data, so a blob moved to another row, space or purpose does not decrypt. They never leave this module in a
response, a log record or an error message.

The OAuth `state` is itself encrypted and authenticated (same key, purpose `slack-oauth-state`): it names the
user, organization and space that started the install and when it expires, so a callback can only complete
an install its own admin started, in the space they started it in, within ten minutes, and once.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth import crypto
from backend.core.cache import get_security_cache
from backend.core.config import get_settings
from backend.core.db import TenantScope, get_database
from backend.core.errors import AppError, BadRequest, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from backend.slack import repository
from backend.slack.channels import Channel, check_channel, list_channels
from backend.slack.client import SlackApiError, SlackClient, oauth_v2_access, slack_error_code
from backend.slack.models import SlackConnection
from backend.slack.schemas import (
    SlackChannelChoice,
    SlackChannelList,
    SlackChannelPublic,
    SlackConnectionPublic,
    SlackConnectionUpdate,
)
from backend.tenancy import audit
from backend.tenancy.access import member_context
from backend.tenancy.context import SpaceContext

ADMIN_ONLY = "Only space admins can connect or disconnect Slack."
OAUTH_STATE_SECONDS = 600
OAUTH_SCOPES = "chat:write,chat:write.public,channels:read,groups:read,channels:join"
INSTALL_PATH = "/api/v1/integrations/slack/oauth/callback"


@dataclass(frozen=True, slots=True)
class Credentials:
    """A space's decrypted Slack credentials, for one unit of work (never stored, logged or returned)."""

    scope: TenantScope
    team_id: str
    team_name: str
    channel: str
    bot_token: str
    signing_secret: str

    def client(self) -> SlackClient:
        return SlackClient(self.bot_token)


def _associated(scope: TenantScope, purpose: str) -> bytes:
    return f"slack:{scope.organization_id}:{scope.space_id}:{purpose}".encode()


def seal(scope: TenantScope, purpose: str, secret: str) -> bytes:
    return crypto.encrypt(secret.encode(), associated_data=_associated(scope, purpose))


def _open(scope: TenantScope, purpose: str, blob: bytes) -> str:
    return crypto.decrypt(blob, associated_data=_associated(scope, purpose)).decode()


def credentials_of(row: SlackConnection) -> Credentials:
    scope = TenantScope(organization_id=row.organization_id, space_id=row.space_id)
    return Credentials(
        scope=scope,
        team_id=row.team_id,
        team_name=row.team_name,
        channel=row.channel,
        bot_token=_open(scope, "bot_token", row.bot_token_encrypted),
        signing_secret=_open(scope, "signing_secret", row.signing_secret_encrypted),
    )


async def load_credentials(session: AsyncSession, scope: TenantScope) -> Credentials | None:
    """The space's credentials, or None when it has no Slack connection."""
    row = await repository.get_connection(session, scope)
    return None if row is None else credentials_of(row)


def oauth_available() -> bool:
    settings = get_settings()
    return bool(settings.slack_client_id and settings.slack_client_secret and settings.slack_signing_secret)


def _public(row: SlackConnection | None) -> SlackConnectionPublic:
    if row is None:
        return SlackConnectionPublic(connected=False, oauth_available=oauth_available())
    return SlackConnectionPublic(
        connected=True,
        channel=(f"#{row.channel_name}" if row.channel_name else row.channel) or None,
        channel_id=row.channel or None,
        team=row.team_name,
        installed_via=row.installed_via,
        oauth_available=oauth_available(),
    )


def _require_admin(ctx: SpaceContext) -> None:
    if not ctx.is_admin:
        raise Forbidden(ADMIN_ONLY, code="admin_required")


async def status(ctx: SpaceContext) -> SlackConnectionPublic:
    """Whether the space is connected, to which workspace and channel (any member may read it)."""
    async with get_database().tenant(ctx.scope) as session:
        return _public(await repository.get_connection(session, ctx.scope))


async def _identify(bot_token: str) -> dict[str, Any]:
    """`auth.test` for the token: a clear 422 when Slack refuses it, 503 when Slack cannot be reached."""
    try:
        return await SlackClient(bot_token).auth_test()
    except SlackApiError as exc:
        code = slack_error_code(exc)
        if code == "unreachable" or code == "ratelimited":
            raise ServiceUnavailable(
                "Slack could not be reached to check the token; try again.", code="slack_unreachable"
            ) from None
        raise ValidationFailed(f"Slack refused the bot token ({code}).", code="slack_token_invalid") from None


async def _save(
    ctx: SpaceContext,
    *,
    bot_token: str,
    signing_secret: str,
    channel: Channel | None,
    identity: dict[str, Any],
    via: str,
) -> SlackConnectionPublic:
    scope = ctx.scope
    fields = {
        "team_id": str(identity.get("team_id") or "")[:32],
        "team_name": str(identity.get("team") or identity.get("team_id") or "Slack")[:200],
        "bot_user_id": str(identity.get("user_id") or "")[:32],
        "channel": channel.id if channel else "",
        "channel_name": channel.name if channel else "",
        "bot_token_encrypted": seal(scope, "bot_token", bot_token),
        "signing_secret_encrypted": seal(scope, "signing_secret", signing_secret),
        "installed_via": via,
        "installed_by": ctx.user_id,
        "updated_at": datetime.now(UTC),
    }
    async with get_database().tenant(scope, user_id=ctx.user_id) as session:
        row = await repository.save_connection(session, scope, fields=fields)
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=audit.Actor(ctx.user_id, None),
            action="slack.connected",
            target=row.team_name,
            space_id=ctx.space_id,
            details={"channel": channel.id if channel else "", "via": via},
        )
        return _public(row)


async def connect(ctx: SpaceContext, body: SlackConnectionUpdate) -> SlackConnectionPublic:
    """Check the bot token with Slack (`auth.test`) and the channel when one is given (the bot must be able to
    post there), then store the token and the signing secret encrypted. Nothing is stored when a check fails."""
    _require_admin(ctx)
    identity = await _identify(body.bot_token)
    channel = None
    if body.channel:
        channel = await check_channel(
            SlackClient(body.bot_token), body.channel, bot_name=str(identity.get("user") or "")
        )
    return await _save(
        ctx,
        bot_token=body.bot_token,
        signing_secret=body.signing_secret,
        channel=channel,
        identity=identity,
        via="token",
    )


async def _connected(ctx: SpaceContext) -> Credentials:
    async with get_database().tenant(ctx.scope) as session:
        creds = await load_credentials(session, ctx.scope)
    if creds is None:
        raise NotFound("This space has no Slack connection; connect Slack first.", code="slack_not_connected")
    return creds


async def channels(ctx: SpaceContext) -> SlackChannelList:
    """The channels the space's bot can see in its workspace (space admins)."""
    _require_admin(ctx)
    listed = await list_channels((await _connected(ctx)).client())
    return SlackChannelList(
        channels=[
            SlackChannelPublic(id=c.id, name=c.name, is_private=c.is_private, is_member=c.is_member)
            for c in listed.channels
        ],
        complete=listed.complete,
    )


async def set_channel(ctx: SpaceContext, body: SlackChannelChoice) -> SlackConnectionPublic:
    """Make `body.channel` the review channel once Slack confirms the bot can post there (joining a public
    channel when it may); on any refusal the stored channel stays as it was."""
    _require_admin(ctx)
    creds = await _connected(ctx)
    client = creds.client()
    bot_name = ""
    with contextlib.suppress(SlackApiError):  # only names the bot in an "invite" message; the check reports errors
        bot_name = str((await client.auth_test()).get("user") or "")
    channel = await check_channel(client, body.channel, bot_name=bot_name)
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        row = await repository.get_connection(session, ctx.scope)
        if row is None:  # disconnected meanwhile
            raise NotFound("This space has no Slack connection; connect Slack first.", code="slack_not_connected")
        row.channel, row.channel_name, row.updated_at = channel.id, channel.name, datetime.now(UTC)
        await session.flush()
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=audit.Actor(ctx.user_id, None),
            action="slack.channel_changed",
            target=f"#{channel.name}",
            space_id=ctx.space_id,
            details={"channel": channel.id},
        )
        return _public(row)


async def disconnect(ctx: SpaceContext) -> None:
    """Forget the space's Slack credentials (404 when it had none)."""
    _require_admin(ctx)
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        if not await repository.delete_connection(session, ctx.scope):
            raise NotFound("This space has no Slack connection.", code="slack_not_connected")
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=audit.Actor(ctx.user_id, None),
            action="slack.disconnected",
            space_id=ctx.space_id,
        )


# --- OAuth v2 install ---------------------------------------------------------------------------------------

_STATE_AD = b"slack-oauth-state"


def _redirect_uri() -> str:
    return get_settings().public_base_url.rstrip("/") + INSTALL_PATH


def install_url(ctx: SpaceContext, *, channel: str) -> str:
    """Slack's authorize URL for this space, with a state bound to the admin, the space and ten minutes."""
    _require_admin(ctx)
    if not oauth_available():
        raise BadRequest(
            "Slack's install flow needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET; "
            "connect with a bot token instead.",
            code="slack_oauth_unavailable",
        )
    claims = {
        "u": str(ctx.user_id),
        "o": str(ctx.organization_id),
        "s": str(ctx.space_id),
        "c": channel,
        "exp": int(time.time()) + OAUTH_STATE_SECONDS,
        "n": secrets.token_urlsafe(12),
    }
    blob = crypto.encrypt(json.dumps(claims).encode(), associated_data=_STATE_AD)
    state = base64.urlsafe_b64encode(blob).decode().rstrip("=")
    query = urlencode(
        {
            "client_id": get_settings().slack_client_id,
            "scope": OAUTH_SCOPES,
            "redirect_uri": _redirect_uri(),
            "state": state,
        }
    )
    return f"https://slack.com/oauth/v2/authorize?{query}"


def _read_state(state: str) -> dict[str, Any]:
    invalid = BadRequest("This Slack install link is invalid or has expired; start again.", code="slack_oauth_state")
    try:
        blob = base64.urlsafe_b64decode(state + "=" * (-len(state) % 4))
        claims = json.loads(crypto.decrypt(blob, associated_data=_STATE_AD))
    except (ValueError, RuntimeError):
        raise invalid from None
    if not isinstance(claims, dict) or int(claims.get("exp", 0)) < time.time():
        raise invalid
    return claims


async def complete_install(*, code: str, state: str) -> SlackConnectionPublic:
    """Finish an OAuth install: check the state, exchange the code, store the bot token for the state's space.

    The state's user is resolved in the state's space from a fresh membership read, so an admin removed or
    demoted since starting the install cannot finish it.
    """
    claims = _read_state(state)
    if await get_security_cache().incr(f"slack:oauth-state:{claims['n']}", OAUTH_STATE_SECONDS + 60) > 1:
        raise BadRequest("This Slack install link was already used; start again.", code="slack_oauth_state")
    scope = TenantScope(organization_id=uuid.UUID(claims["o"]), space_id=uuid.UUID(claims["s"]))
    ctx = await member_context(scope, uuid.UUID(claims["u"]))
    if ctx is None:
        raise Forbidden("You no longer have access to this space.", code="space_forbidden")
    _require_admin(ctx)
    settings = get_settings()
    try:
        reply = await oauth_v2_access(
            client_id=settings.slack_client_id or "",
            client_secret=settings.slack_client_secret or "",
            code=code,
            redirect_uri=_redirect_uri(),
        )
    except SlackApiError as exc:
        raise BadRequest(f"Slack refused the install ({slack_error_code(exc)}).", code="slack_oauth_failed") from None
    token = str(reply.get("access_token") or "")
    if not token.startswith("xoxb-"):
        raise BadRequest("Slack's answer carried no bot token.", code="slack_oauth_failed")
    identity = await _identify(token)
    channel = None
    with contextlib.suppress(AppError):  # the install is kept; a channel the bot cannot use is picked again later
        channel = await check_channel(
            SlackClient(token), str(claims.get("c") or ""), bot_name=str(identity.get("user") or "")
        )
    return await _save(
        ctx,
        bot_token=token,
        signing_secret=settings.slack_signing_secret or "",
        channel=channel,
        identity=identity,
        via="oauth",
    )


__all__ = [
    "ADMIN_ONLY",
    "Credentials",
    "channels",
    "complete_install",
    "connect",
    "credentials_of",
    "disconnect",
    "install_url",
    "load_credentials",
    "oauth_available",
    "seal",
    "set_channel",
    "status",
]
