"""Slack over HTTP: the space's connection (tenant routes, admins change it), the OAuth install flow, sending
a content item for review, and the interactions endpoint Slack calls.

The interactions endpoint has no bearer token: Slack's signature is its only authentication (see
`backend/slack/handlers.py`). It reads the raw body itself, because the signature covers the exact bytes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Header, Query, Request, Response
from fastapi.responses import RedirectResponse

from backend.api.deps import AdminCtx, Ctx
from backend.core.config import get_settings
from backend.core.errors import AppError, PayloadTooLarge, ValidationFailed
from backend.slack import connection, handlers, service
from backend.slack.schemas import (
    SlackChannelChoice,
    SlackChannelList,
    SlackConnectionPublic,
    SlackConnectionUpdate,
    SlackInstallUrl,
    SlackInteractionReply,
    SlackReviewPosted,
    clean_channel,
)

router = APIRouter(tags=["slack"])

MAX_INTERACTION_BYTES = 64 * 1024
"""Slack's interaction payloads are a few kilobytes; anything far larger is not Slack."""


@router.get(
    "/integrations/slack",
    operation_id="get_slack_connection",
    response_model=SlackConnectionPublic,
    summary="Whether the space is connected to Slack, to which workspace and review channel",
)
async def get_slack_connection(ctx: Ctx) -> SlackConnectionPublic:
    return await connection.status(ctx)


@router.put(
    "/integrations/slack",
    operation_id="connect_slack",
    response_model=SlackConnectionPublic,
    summary="Connect Slack with a bot token and signing secret, and optionally the review channel, checked with "
    "Slack first (space admins)",
)
async def connect_slack(body: SlackConnectionUpdate, ctx: AdminCtx) -> SlackConnectionPublic:
    return await connection.connect(ctx, body)


@router.get(
    "/integrations/slack/channels",
    operation_id="list_slack_channels",
    response_model=SlackChannelList,
    summary="The connected workspace's channels the bot can see, to pick the review channel (space admins)",
)
async def list_slack_channels(ctx: AdminCtx) -> SlackChannelList:
    return await connection.channels(ctx)


@router.put(
    "/integrations/slack/channel",
    operation_id="set_slack_channel",
    response_model=SlackConnectionPublic,
    summary="Make a channel the review channel once Slack confirms the bot can post there (space admins)",
)
async def set_slack_channel(body: SlackChannelChoice, ctx: AdminCtx) -> SlackConnectionPublic:
    return await connection.set_channel(ctx, body)


@router.delete(
    "/integrations/slack",
    status_code=204,
    operation_id="disconnect_slack",
    summary="Disconnect Slack: the space's Slack credentials are deleted (space admins)",
)
async def disconnect_slack(ctx: AdminCtx) -> Response:
    await connection.disconnect(ctx)
    return Response(status_code=204)


@router.get(
    "/integrations/slack/install",
    operation_id="slack_install_url",
    response_model=SlackInstallUrl,
    summary="Slack's OAuth install URL for this space (space admins; needs SLACK_CLIENT_ID/SECRET)",
)
async def slack_install_url(
    ctx: AdminCtx, channel: Annotated[str, Query(min_length=1, max_length=80)]
) -> SlackInstallUrl:
    try:
        checked = clean_channel(channel)
    except ValueError as exc:
        raise ValidationFailed(f"Invalid channel: {exc}.", code="invalid_channel") from None
    return SlackInstallUrl(url=connection.install_url(ctx, channel=checked))


@router.get(
    "/integrations/slack/oauth/callback",
    operation_id="slack_oauth_callback",
    response_class=RedirectResponse,
    status_code=307,
    summary="Where Slack sends the browser after an install; authenticated by the install's state",
)
async def slack_oauth_callback(
    code: Annotated[str, Query(min_length=1, max_length=500)],
    state: Annotated[str, Query(min_length=1, max_length=2000)],
) -> RedirectResponse:
    target = get_settings().public_base_url.rstrip("/") + "/integrations/slack"
    try:
        await connection.complete_install(code=code, state=state)
    except AppError as exc:
        return RedirectResponse(f"{target}?slack_error={exc.code}", status_code=307)
    return RedirectResponse(f"{target}?slack=connected", status_code=307)


@router.post(
    "/content/{content_id}/slack-review",
    status_code=202,
    operation_id="send_to_slack_review",
    response_model=SlackReviewPosted,
    summary="Post the item's current version in the space's Slack review channel (editors)",
)
async def send_to_slack_review(content_id: str, ctx: Ctx) -> SlackReviewPosted:
    return await service.send_for_review(ctx, content_id)


@router.post(
    "/integrations/slack/interactions",
    operation_id="slack_interactions",
    response_model=SlackInteractionReply,
    response_model_exclude_none=True,
    summary="Called by Slack (form field `payload`); authenticated by Slack's request signature alone",
)
async def slack_interactions(
    request: Request,
    background: BackgroundTasks,
    x_slack_request_timestamp: Annotated[str | None, Header()] = None,
    x_slack_signature: Annotated[str | None, Header()] = None,
    x_slack_retry_num: Annotated[str | None, Header()] = None,
) -> SlackInteractionReply:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_INTERACTION_BYTES:
        raise PayloadTooLarge("This is not a Slack interaction (too large).", code="slack_payload_too_large")
    body = await request.body()
    if len(body) > MAX_INTERACTION_BYTES:
        raise PayloadTooLarge("This is not a Slack interaction (too large).", code="slack_payload_too_large")
    outcome = await handlers.handle(
        body, timestamp=x_slack_request_timestamp, sent=x_slack_signature, retry=x_slack_retry_num is not None
    )
    for followup in outcome.followups:
        background.add_task(followup)
    return SlackInteractionReply.model_validate(outcome.body)
