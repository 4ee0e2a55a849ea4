"""`/verify-email/<code>`: the link mailed after sign-up; opening it confirms the address."""

from __future__ import annotations

import reflex as rx

from backend.core.errors import AppError
from backend.tenancy import verification
from obelisk_app import routes
from obelisk_app.components.forms import auth_card
from obelisk_app.states.log_scope import event_scope


class VerifyEmailState(rx.State):
    outcome: str = "checking"
    problem: str = ""

    @rx.event
    async def load(self) -> None:
        self.problem = ""
        try:
            with event_scope():
                # `verify_code` is the route variable Reflex adds for the `[verify_code]` of routes.VERIFY_EMAIL.
                await verification.verify_email(str(self.verify_code))
        except AppError as exc:
            self.outcome, self.problem = "failed", exc.message
            return
        self.outcome = "verified"


@rx.page(route=routes.VERIFY_EMAIL, title="Confirm your address · Obelisk", on_load=VerifyEmailState.load)
def verify_email() -> rx.Component:
    return auth_card(
        "Confirm your e-mail address",
        "The link in the message we sent proves the address is yours.",
        rx.match(
            VerifyEmailState.outcome,
            (
                "verified",
                rx.callout(
                    "Your address is confirmed.", icon="circle-check", color_scheme="green", data_testid="verified"
                ),
            ),
            (
                "failed",
                rx.callout(
                    VerifyEmailState.problem, icon="circle-alert", color_scheme="orange", data_testid="verify-problem"
                ),
            ),
            rx.spinner(),
        ),
        rx.link("Go to sign in", href=routes.LOGIN),
    )
