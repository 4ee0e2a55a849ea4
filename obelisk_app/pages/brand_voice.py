"""`/brand-voice`: the voice agents write in: the organization's default and this space's overrides."""

from __future__ import annotations

from typing import Any

import reflex as rx

from obelisk_app import routes, styles
from obelisk_app.layout import template
from obelisk_app.pages.brand_voice_state import FIELDS, GUIDELINE, RANGES, BrandVoiceState, GuidelineRow
from obelisk_app.pages.voice_rules import rule_proposals
from obelisk_app.states import AuthState


def _range(
    values: rx.Var[dict[str, str]], name: str, label: str, unit: str, hints: tuple[str, str], prefix: str
) -> rx.Component:
    bounds = [
        rx.input(
            name=f"{name}_{bound}",
            default_value=values[f"{name}_{bound}"],
            placeholder=f"{bound} {hint}",
            type="number",
            step="any",
            width="7em",
            data_testid=f"{prefix}-{name}-{bound}",
        )
        for bound, hint in zip(("min", "max"), hints, strict=True)
    ]
    return rx.vstack(
        rx.text(f"{label} ({unit})", size="2", weight="medium"),
        rx.hstack(bounds[0], rx.text("to", size="2"), bounds[1], align="center", spacing="2"),
        spacing="1",
        width="100%",
    )


def _guideline_option(row: GuidelineRow) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.el.input(
                type="checkbox",
                name=GUIDELINE + row["id"],
                default_checked=row["linked"],
                data_testid="guideline-option",
            ),
            rx.text(row["title"], size="2"),
            spacing="2",
            align="center",
        )
    )


def _guidelines() -> rx.Component:
    return rx.vstack(
        rx.text("Guideline documents (the voice score cites their rules first)", size="2", weight="medium"),
        rx.cond(
            BrandVoiceState.guidelines.length() > 0,
            rx.vstack(rx.foreach(BrandVoiceState.guidelines, _guideline_option), spacing="1"),
            rx.text("No ready documents in this space yet.", size="2", color=rx.color("gray", 11)),
        ),
        spacing="1",
        width="100%",
    )


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
    inputs += [_range(values, name, label, unit, hints, prefix) for name, label, unit, hints in RANGES]
    if prefix == "space":
        inputs.append(_guidelines())
    # Keyed on the space and the stored voice's revision (not on the values): the form re-mounts when another
    # space's voice or a changed stored voice arrives, never while the user types into it.
    return rx.form(
        rx.vstack(*inputs, rx.button(button, type="submit", data_testid=f"{prefix}-save"), spacing="3", width="100%"),
        on_submit=on_submit,
        width="100%",
        key=BrandVoiceState.form_key + "-" + prefix,
    )


def _when_loaded(form: rx.Component) -> rx.Component:
    return rx.cond(BrandVoiceState.loaded, form, rx.hstack(rx.spinner(), rx.text("Loading the voice…", size="2")))


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
                    _when_loaded(_form(BrandVoiceState.space, BrandVoiceState.save_space, "Save space voice", "space")),
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
                        _when_loaded(
                            _form(
                                BrandVoiceState.organization,
                                BrandVoiceState.save_organization,
                                "Save organization voice",
                                "org",
                            )
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
