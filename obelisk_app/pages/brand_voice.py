"""`/brand-voice`: the voice agents write in: the organization's default and this space's overrides."""

from __future__ import annotations

from typing import Any

import reflex as rx

from backend.core.errors import AppError, Unauthorized
from backend.tenancy import brand_voice
from obelisk_app import routes, styles
from obelisk_app.layout import template
from obelisk_app.states import AuthState

FIELDS = [
    ("tone", "Tone", "e.g. warm, confident, never pushy", False),
    ("audience", "Audience", "who we write for", False),
    ("values", "Values (one per line)", "clarity\nhonesty", True),
    ("preferred_terms", "Preferred terms (one per line)", "customers (not users)", True),
    ("banned_terms", "Banned terms (one per line)", "revolutionary\ngame-changing", True),
    ("style_rules", "Style rules (one per line)", "No exclamation marks.\nSentences under 25 words.", True),
    ("example_copy", "Example copy", "A paragraph that sounds exactly like us.", True),
]


def _as_form(voice: dict[str, Any]) -> dict[str, str]:
    return {name: "\n".join(v) if isinstance(v := voice.get(name, ""), list) else str(v) for name, *_ in FIELDS}


class BrandVoiceState(rx.State):
    space: dict[str, str] = {}
    organization: dict[str, str] = {}
    effective: dict[str, str] = {}
    error: str = ""

    async def _run(self, action: Any, success: str = "") -> Any:
        auth = await self.get_state(AuthState)
        self.error = ""
        try:
            await action(auth)
            data = await brand_voice.get_brand_voice(await auth.space_context())
        except Unauthorized:
            return rx.redirect(routes.LOGIN)
        except AppError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self.space, self.organization = _as_form(data["space"]), _as_form(data["organization"])
        self.effective = _as_form(data["effective"])
        return rx.toast.success(success) if success else None

    @rx.event
    async def load(self) -> Any:
        async def nothing(_: Any) -> None:
            return None

        return await self._run(nothing)

    @rx.event
    async def save_space(self, form: dict[str, Any]) -> Any:
        async def action(auth: Any) -> None:
            await brand_voice.set_space_brand_voice(await auth.space_context(), _fields(form))

        return await self._run(action, "Space brand voice saved")

    @rx.event
    async def save_organization(self, form: dict[str, Any]) -> Any:
        async def action(auth: Any) -> None:
            await brand_voice.set_organization_brand_voice(await auth.principal(), _fields(form))

        return await self._run(action, "Organization brand voice saved")


def _fields(form: dict[str, Any]) -> dict[str, Any]:
    return {name: str(form.get(name, "")) for name, *_ in FIELDS}


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
        width="100%",
        spacing="4",
    )
