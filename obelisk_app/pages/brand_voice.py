"""`/brand-voice`: the voice agents write in: the organization's default and this space's overrides."""

from __future__ import annotations

from typing import Any

import reflex as rx

from obelisk_app import routes, styles
from obelisk_app.layout import template
from obelisk_app.pages.brand_voice_state import FIELDS, BrandVoiceState
from obelisk_app.pages.voice_rules import rule_proposals
from obelisk_app.states import AuthState


def _form(values: rx.Var[dict[str, str]], on_submit: Any, button: str, prefix: str) -> rx.Component:
    inputs = []
    for name, label, placeholder, multiline in FIELDS:
        widget = rx.text_area if multiline else rx.input
        inputs.append(
            rx.vstack(
                rx.text(label, size="2", weight="medium"),
                widget(
                    name=name,
                    default_value=values[name],
                    placeholder=placeholder,
                    width="100%",
                    data_testid=f"{prefix}-{name}",
                    **({"rows": "3"} if multiline else {}),
                ),
                spacing="1",
                width="100%",
            )
        )
    return rx.form(
        rx.vstack(*inputs, rx.button(button, type="submit", data_testid=f"{prefix}-save"), spacing="3", width="100%"),
        on_submit=on_submit,
        width="100%",
        key=values.to_string(),
    )


@template(route=routes.BRAND_VOICE, title="Brand voice", on_load=BrandVoiceState.load)
def brand_voice_page() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Agents write and check content in this voice. A space inherits the organization's voice and "
            "overrides the fields it fills in.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.cond(
            BrandVoiceState.error != "", rx.callout(BrandVoiceState.error, icon="triangle-alert", color_scheme="red")
        ),
        rx.cond(BrandVoiceState.loaded, rx.box(data_testid="brand-voice-loaded", display="none")),
        rx.grid(
            rx.vstack(
                rx.heading("This space: ", AuthState.current_space_name, size="4"),
                rx.cond(
                    AuthState.is_space_admin,
                    _form(BrandVoiceState.space, BrandVoiceState.save_space, "Save space voice", "space"),
                    rx.text("Only space admins change it.", size="2"),
                ),
                style=styles.card,
                width="100%",
            ),
            rx.vstack(
                rx.heading("Effective voice", size="4"),
                rx.foreach(
                    BrandVoiceState.effective,
                    lambda kv: rx.cond(
                        kv[1] != "",
                        rx.vstack(
                            rx.text(kv[0], size="1", weight="bold", color=rx.color("gray", 11)),
                            rx.text(kv[1], size="2", white_space="pre-wrap", data_testid="effective-voice"),
                            spacing="0",
                        ),
                    ),
                ),
                rx.cond(
                    AuthState.is_org_admin,
                    rx.vstack(
                        rx.divider(),
                        rx.heading("Organization default", size="4"),
                        _form(
                            BrandVoiceState.organization,
                            BrandVoiceState.save_organization,
                            "Save organization voice",
                            "org",
                        ),
                        width="100%",
                        spacing="3",
                    ),
                ),
                style=styles.card,
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        rule_proposals(),
        width="100%",
        spacing="4",
    )
