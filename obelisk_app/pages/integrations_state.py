"""State of the Integrations page: the space's GA4 connection (status, property picker, connect, disconnect).

Google sends the browser back to this page after consent with `?ga4=connected` or `?ga4_error=<code>`: the
page turns that into a sentence. Every handler resolves the caller's space on the server (`_ctx()`); the
space admins' actions are refused by the service for anyone else.
"""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from backend.analytics import service as analytics
from backend.analytics.schemas import Ga4PropertyUpdate
from backend.core.errors import AppError, ValidationFailed
from obelisk_app import routes
from obelisk_app.states import SpaceState

CALLBACK_MESSAGES = {
    "invalid_state": "That GA4 link was not valid or was already used. Start again with Connect.",
    "expired_state": "That GA4 link expired before Google sent you back. Start again with Connect.",
    "access_denied": "GA4 was not connected: access was declined on Google's consent screen.",
    "authorization_failed": "Google did not authorize the connection. Start again with Connect.",
    "forbidden": "Only space admins can connect GA4.",
    "exchange_failed": "Google did not accept the sign-in code. Start again with Connect.",
    "no_refresh_token": "Google gave no lasting access. Remove the app under your Google account's "
    "third-party access, then connect again.",
}


class PropertyRow(TypedDict):
    id: str
    name: str
    account: str


class IntegrationsState(SpaceState):
    connected: bool = False
    configured: bool = False
    needs_reconnect: bool = False
    property_id: str = ""
    property_name: str = ""
    message: str = ""
    notice: str = ""
    properties: list[PropertyRow] = []
    error: str = ""

    async def _reload(self) -> None:
        ctx = await self._ctx()
        status = await analytics.status(ctx)
        properties: list[PropertyRow] = []
        if status.connected and not status.needs_reconnect and ctx.is_admin:
            try:
                listed = await analytics.list_properties(ctx)
            except AppError as exc:
                # Google dropped the grant since the last visit: listing found out; show the reconnect prompt.
                if exc.code != "ga4_needs_reconnect":
                    raise
                status = await analytics.status(ctx)
            else:
                properties = [PropertyRow(id=p.id, name=p.name, account=p.account) for p in listed]
        self.connected, self.configured = status.connected, status.configured
        self.needs_reconnect = status.needs_reconnect
        self.property_id, self.property_name = status.property_id or "", status.property_name or ""
        self.message = status.message or ""
        self.properties = properties

    @rx.event
    async def load(self) -> Any:
        query = self.router.url.query_parameters
        if query.get("ga4") == "connected":
            self.notice = "GA4 connected."
        elif query.get("ga4_error"):
            self.notice = CALLBACK_MESSAGES.get(query["ga4_error"], "GA4 could not be connected.")
        else:
            self.notice = ""
        return await self._call(self._reload())

    @rx.event
    async def connect(self) -> Any:
        async def work() -> Any:
            return rx.redirect(await analytics.start_connect(await self._ctx(), return_to=routes.INTEGRATIONS))

        return await self._call(work())

    @rx.event
    async def choose_property(self, property_id: str) -> Any:
        async def work() -> None:
            try:
                body = Ga4PropertyUpdate(property_id=str(property_id))
            except ValueError:
                raise ValidationFailed("Pick one of the listed GA4 properties.", code="ga4_property_invalid") from None
            await analytics.set_property(await self._ctx(), body)
            await self._reload()

        return await self._call(work(), success="GA4 property saved")

    @rx.event
    async def disconnect(self) -> Any:
        async def work() -> None:
            await analytics.disconnect(await self._ctx())
            self.notice = ""
            await self._reload()

        return await self._call(work(), success="GA4 disconnected")
