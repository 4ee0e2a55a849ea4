"""State of the brand voice page: the organization's default voice and this space's overrides."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from backend.tenancy import brand_voice
from obelisk_app.states import SpaceState

# (field, label, placeholder, multiline): the form fields, in the order the page shows them.
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


def _fields(form: dict[str, Any]) -> dict[str, Any]:
    return {name: str(form.get(name, "")) for name, *_ in FIELDS}


class BrandVoiceState(SpaceState):
    """Each var maps a field name to its text (lists one item per line), as the forms edit them."""

    space: dict[str, str] = {}
    organization: dict[str, str] = {}
    effective: dict[str, str] = {}
    error: str = ""
    loaded: bool = False
    """The forms hold the stored voice (they are re-mounted when it arrives, so typing waits for this)."""

    async def _save_then_reload(self, save: Callable[[], Awaitable[Any]] | None = None) -> None:
        if save is not None:
            await save()
        data = await brand_voice.get_brand_voice(await self._ctx())
        self.space, self.organization = _as_form(data["space"]), _as_form(data["organization"])
        self.effective = _as_form(data["effective"])
        self.loaded = True

    @rx.event
    async def load(self) -> Any:
        return await self._call(self._save_then_reload())

    @rx.event
    async def save_space(self, form: dict[str, Any]) -> Any:
        async def save() -> None:
            await brand_voice.set_space_brand_voice(await self._ctx(), _fields(form))

        return await self._call(self._save_then_reload(save), success="Space brand voice saved")

    @rx.event
    async def save_organization(self, form: dict[str, Any]) -> Any:
        async def save() -> None:
            await brand_voice.set_organization_brand_voice(await self._principal(), _fields(form))

        return await self._call(self._save_then_reload(save), success="Organization brand voice saved")
