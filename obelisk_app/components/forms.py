"""Small form pieces shared by the sign-in, sign-up and invitation pages."""

from __future__ import annotations

import reflex as rx


def field(label: str, name: str, *, type_: str = "text", placeholder: str = "", autocomplete: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label", html_for=name),
        rx.input(
            id=name,
            name=name,
            type=type_,
            placeholder=placeholder,
            auto_complete=autocomplete or None,
            required=True,
            width="100%",
            size="3",
            data_testid=f"field-{name}",
        ),
        spacing="1",
        width="100%",
    )


def error_callout(message: rx.Var[str]) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(
            message, icon="triangle-alert", color_scheme="red", size="1", width="100%", data_testid="form-error"
        ),
    )


def auth_card(title: str, subtitle: str, *children: rx.Component) -> rx.Component:
    """A centred card for the pages a signed-out visitor sees."""
    return rx.center(
        rx.vstack(
            rx.hstack(
                rx.icon("gem", size=26, color=rx.color("accent", 10)),
                rx.heading("Obelisk", size="6"),
                align="center",
                spacing="2",
            ),
            rx.heading(title, size="5"),
            rx.text(subtitle, color=rx.color("gray", 11), size="2"),
            *children,
            spacing="4",
            width="100%",
            max_width="26rem",
            padding="2rem",
            border_radius="var(--radius-4)",
            border=f"1px solid {rx.color('gray', 5)}",
            background=rx.color("gray", 1),
        ),
        min_height="100vh",
        padding="1rem",
        background=rx.color("gray", 2),
    )
