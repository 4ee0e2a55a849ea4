"""`/login` and `/signup`: the two doors in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from typing import Any

import reflex as rx

from backend.tenancy import accounts
from obelisk_app import routes
from obelisk_app.components.forms import auth_card, error_callout, field
from obelisk_app.states import AuthState
from obelisk_app.states.auth import client_of, enter_with


class LoginState(rx.State):
    error: str = ""
    busy: bool = False

    @rx.event
    async def submit(self, form: dict[str, Any]) -> AsyncIterator[Any]:
        client = client_of(self)
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        async for update in enter_with(self, lambda: accounts.log_in(email=email, password=password, client=client)):
            yield update


class SignupState(rx.State):
    error: str = ""
    busy: bool = False

    @rx.event
    async def submit(self, form: dict[str, Any]) -> AsyncIterator[Any]:
        client = client_of(self)

        def sign_up() -> Awaitable[accounts.SignIn]:
            return accounts.sign_up(
                email=str(form.get("email", "")),
                password=str(form.get("password", "")),
                name=str(form.get("name", "")),
                organization_name=str(form.get("organization_name", "")),
                client=client,
            )

        async for update in enter_with(self, sign_up):
            yield update


@rx.page(route=routes.LOGIN, title="Sign in · Obelisk", on_load=AuthState.redirect_if_signed_in)
def login() -> rx.Component:
    return auth_card(
        "Sign in",
        "Welcome back. Sign in to your organization's spaces.",
        rx.form(
            rx.vstack(
                field("Email", "email", type_="email", placeholder="you@company.com", autocomplete="email"),
                field("Password", "password", type_="password", autocomplete="current-password"),
                error_callout(LoginState.error),
                rx.button(
                    "Sign in",
                    type="submit",
                    size="3",
                    width="100%",
                    loading=LoginState.busy,
                    data_testid="login-submit",
                ),
                spacing="3",
            ),
            on_submit=LoginState.submit,
            width="100%",
        ),
        rx.text("New to Obelisk? ", rx.link("Create an organization", href=routes.SIGNUP), size="2"),
    )


@rx.page(route=routes.SIGNUP, title="Sign up · Obelisk", on_load=AuthState.redirect_if_signed_in)
def signup() -> rx.Component:
    return auth_card(
        "Create your organization",
        "You become its owner, with a first space called General.",
        rx.form(
            rx.vstack(
                field("Your name", "name", placeholder="Ada Lovelace", autocomplete="name"),
                field("Organization", "organization_name", placeholder="Acme Marketing", autocomplete="organization"),
                field("Work email", "email", type_="email", placeholder="you@company.com", autocomplete="email"),
                field("Password (8 characters or more)", "password", type_="password", autocomplete="new-password"),
                error_callout(SignupState.error),
                rx.button(
                    "Create organization",
                    type="submit",
                    size="3",
                    width="100%",
                    loading=SignupState.busy,
                    data_testid="signup-submit",
                ),
                spacing="3",
            ),
            on_submit=SignupState.submit,
            width="100%",
        ),
        rx.text("Already have an account? ", rx.link("Sign in", href=routes.LOGIN), size="2"),
    )
