"""State of the Slack page: the space's Slack connection (connect, disconnect, status), the install link, and
the review channel picked from the workspace's channels (typed instead when Slack will not list them)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from pydantic import ValidationError

from backend.core.errors import AppError, ValidationFailed
from backend.slack import connection, service
from backend.slack.schemas import (
    SlackChannelChoice,
    SlackConnectionPublic,
    SlackConnectionUpdate,
    clean_channel,
)
from obelisk_app.pages.content_item_state import ContentItemState
from obelisk_app.states import SpaceState

_LABELS = {"bot_token": "Bot token", "signing_secret": "Signing secret", "channel": "Review channel"}


def _reason(exc: ValidationError) -> str:
    """The first problem, naming the field: "Signing secret: the signing secret is the hexadecimal value..."."""
    first = exc.errors()[0]
    field = _LABELS.get(str((first.get("loc") or ("",))[0]), "Form")
    return f"{field}: {str(first.get('msg', 'invalid')).removeprefix('Value error, ')}."


def _channel_label(name: str, private: bool) -> str:
    return f"#{name}" + (" (private)" if private else "")


class SlackState(SpaceState):
    """What the card shows; the token and secret are never held in state (the form submits them once).

    Connected, an admin picks the review channel from `channel_options` (the workspace's channels the bot can
    see, listed on load and on Refresh); when Slack will not list them (a missing scope, a rate limit)
    `channels_error` says why and the page offers a text field for the channel's id or #name instead.
    """

    connected: bool = False
    team: str = ""
    channel: str = ""
    channel_id: str = ""
    installed_via: str = ""
    oauth_available: bool = False
    install_url: str = ""
    channel_options: list[dict[str, str]] = []
    channels_error: str = ""
    channels_complete: bool = True
    error: str = ""

    def _show(self, status: SlackConnectionPublic) -> None:
        self.connected, self.oauth_available = status.connected, status.oauth_available
        self.team, self.channel = status.team or "", status.channel or ""
        self.channel_id = status.channel_id or ""
        self.installed_via = status.installed_via or ""
        self.install_url = ""
        if not status.connected:
            self.channel_options, self.channels_error, self.channels_complete = [], "", True

    async def _list_channels(self, *, asked: bool = False) -> None:
        """List the channels for the select. On load a non-admin's page simply has none; asked for (Refresh),
        the service refuses a non-admin like any other admin action."""
        ctx = await self._ctx()
        if not (asked or (self.connected and ctx.is_admin)):
            return
        try:
            listed = await connection.channels(ctx)
        except AppError as exc:
            if not exc.code.startswith("slack_") or exc.code == "slack_not_connected":
                raise
            self.channel_options, self.channels_error, self.channels_complete = [], exc.message, True
            return
        self.channel_options = [{"id": c.id, "label": _channel_label(c.name, c.is_private)} for c in listed.channels]
        self.channels_error, self.channels_complete = "", listed.complete

    @rx.event
    async def load(self) -> Any:
        async def work() -> None:
            self._show(await connection.status(await self._ctx()))
            await self._list_channels()

        return await self._call(work())

    @rx.event
    async def refresh_channels(self) -> Any:
        return await self._call(self._list_channels(asked=True))

    async def _choose(self, channel: str) -> None:
        try:
            body = SlackChannelChoice.model_validate({"channel": channel})
        except ValidationError as exc:
            raise ValidationFailed(_reason(exc), code="invalid_channel") from None
        self._show(await connection.set_channel(await self._ctx(), body))

    @rx.event
    async def choose_channel(self, channel_id: str) -> Any:
        """A channel picked in the select (its id): checked with Slack, then stored."""
        return await self._call(self._choose(str(channel_id)), success="Review channel saved")

    @rx.event
    async def choose_typed_channel(self, form: dict[str, Any]) -> Any:
        """The fallback when the list is unavailable: a channel id or #name typed in."""
        return await self._call(self._choose(str(form.get("channel", ""))), success="Review channel saved")

    @rx.event
    async def connect(self, form: dict[str, Any]) -> Any:
        async def work() -> None:
            try:
                body = SlackConnectionUpdate.model_validate(
                    {k: str(form.get(k, "")) for k in ("bot_token", "signing_secret", "channel")}
                )
            except ValidationError as exc:
                raise ValidationFailed(_reason(exc), code="validation_failed") from None
            self._show(await connection.connect(await self._ctx(), body))
            await self._list_channels()

        return await self._call(work(), success="Slack connected")

    @rx.event
    async def disconnect(self) -> Any:
        async def work() -> None:
            ctx = await self._ctx()
            await connection.disconnect(ctx)
            self._show(await connection.status(ctx))

        return await self._call(work(), success="Slack disconnected")

    @rx.event
    async def start_install(self, form: dict[str, Any]) -> Any:
        async def work() -> Any:
            try:
                channel = clean_channel(str(form.get("channel", "")))
            except ValueError as exc:
                raise ValidationFailed(f"{str(exc).capitalize()}.", code="invalid_channel") from None
            return rx.redirect(connection.install_url(await self._ctx(), channel=channel), is_external=True)

        return await self._call(work())


class SlackReviewState(SpaceState):
    """The "Send to Slack for review" button of the content item page. The item is the page's route id, and
    the service checks it belongs to the caller's space like any other id a browser sends."""

    posted_in: str = ""
    error: str = ""

    @rx.event
    async def send(self) -> Any:
        # Clicks are handled one at a time per tab, and sending a version whose message is still waiting
        # answers that message: a double click posts once.
        async def work() -> Any:
            posted = await service.send_for_review(await self._ctx(), str(self.content_id))
            self.posted_in = posted.channel
            return ContentItemState.load  # the item is now in review: refresh its page

        return await self._call(work(), success="Sent to Slack for review")
