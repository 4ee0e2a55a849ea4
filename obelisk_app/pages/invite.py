"""`/invite/<code>`: an invitee sees who invited them where, sets a name and password, and is in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

from backend.core.errors import AppError
from backend.tenancy import members
from obelisk_app import routes
from obelisk_app.components.forms import auth_card, error_callout, field
from obelisk_app.states.auth import client_of, enter_with
from obelisk_app.states.log_scope import event_scope


class InviteState(rx.State):
    email: str = ""
    role: str = ""
    problem: str = ""
    error: str = ""
    busy: bool = False

    def _code(self) -> str:
        # `invite_code` is the route variable Reflex adds for the `[invite_code]` of routes.INVITE.
        return str(self.invite_code)

    @rx.event
    async def load(self) -> None:
        self.error = self.problem = ""
        try:
            with event_scope():
                info = await members.describe_invitation(self._code())
        except AppError as exc:
            self.problem, self.email = exc.message, ""
            return
        self.email, self.role = info["email"], info["role"]

    @rx.event
    async def accept(self, form: dict[str, Any]) -> AsyncIterator[Any]:
        code, name, password = self._code(), str(form.get("name", "")), str(form.get("password", ""))
        client = client_of(self)

        def accept() -> Any:
            return members.accept_invitation(code, name=name, password=password, client=client)

        async for update in enter_with(self, accept):
            yield update


@rx.page(route=routes.INVITE, title="Accept invitation · Obelisk", on_load=InviteState.load)
def invite() -> rx.Component:
    return auth_card(
        "Join your team on Obelisk",
        "Set your name and a password to accept the invitation.",
        rx.cond(
            InviteState.problem != "",
            rx.vstack(
                rx.callout(
                    InviteState.problem, icon="circle-alert", color_scheme="orange", data_testid="invite-problem"
                ),
                rx.link("Go to sign in", href=routes.LOGIN),
                width="100%",
            ),
            rx.form(
                rx.vstack(
                    rx.text(
                        "Invitation for ",
                        rx.text.strong(InviteState.email),
                        " as ",
                        rx.badge(InviteState.role),
                        size="2",
                        data_testid="invite-email",
                    ),
                    field("Your name", "name", autocomplete="name"),
                    field("Password (8 characters or more)", "password", type_="password", autocomplete="new-password"),
                    error_callout(InviteState.error),
                    rx.button(
                        "Accept invitation",
                        type="submit",
                        size="3",
                        width="100%",
                        loading=InviteState.busy,
                        data_testid="invite-submit",
                    ),
                    spacing="3",
                ),
                on_submit=InviteState.accept,
                width="100%",
            ),
        ),
    )
