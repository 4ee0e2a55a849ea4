"""State of the brand voice page: the organization's default voice and this space's overrides."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypedDict

import reflex as rx

from backend.documents import service as documents_service
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
# (field, label, unit, placeholders for min and max): the ranges the voice score measures a draft against.
RANGES = [
    ("reading_level", "Reading level", "grade", ("6", "9")),
    ("sentence_length", "Sentence length", "words per sentence on average", ("8", "20")),
]
GUIDELINE = "guideline:"
"""Form names of the guideline-document checkboxes: this prefix and the document id."""
MAX_DOCUMENTS = 200


class GuidelineRow(TypedDict):
    """A ready document of the space the voice can link as a guideline."""

    id: str
    title: str
    linked: bool


def _span(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    low, high = value.get("min"), value.get("max")
    if low is not None and high is not None:
        return f"{low}-{high}"
    return f"at most {high}" if high is not None else (f"at least {low}" if low is not None else "")


def _as_form(voice: dict[str, Any]) -> dict[str, str]:
    form = {name: "\n".join(v) if isinstance(v := voice.get(name, ""), list) else str(v) for name, *_ in FIELDS}
    for name, *_ in RANGES:
        bounds = voice.get(name) if isinstance(voice.get(name), dict) else {}
        for bound in ("min", "max"):
            value = bounds.get(bound)
            form[f"{name}_{bound}"] = "" if value is None else str(value)
    return form


def _shown(voice: dict[str, Any], titles: dict[str, str]) -> dict[str, str]:
    """The effective voice as the page lists it: ranges with their unit, linked documents by title."""
    shown = {name: "\n".join(v) if isinstance(v := voice.get(name, ""), list) else str(v) for name, *_ in FIELDS}
    for name, _, unit, _ in RANGES:
        span = _span(voice.get(name))
        shown[name] = f"{span} ({unit})" if span else ""
    ids = voice.get(brand_voice.GUIDELINE_DOCUMENTS) or []
    shown[brand_voice.GUIDELINE_DOCUMENTS] = "\n".join(titles.get(i, "(document no longer ready)") for i in ids)
    return shown


def _fields(form: dict[str, Any], *, documents: bool) -> dict[str, Any]:
    data: dict[str, Any] = {name: str(form.get(name, "")) for name, *_ in FIELDS}
    for name, *_ in RANGES:
        data[name] = {bound: str(form.get(f"{name}_{bound}", "")).strip() or None for bound in ("min", "max")}
    if documents:
        data[brand_voice.GUIDELINE_DOCUMENTS] = [
            key.removeprefix(GUIDELINE) for key, value in form.items() if key.startswith(GUIDELINE) and value
        ]
    return data


class BrandVoiceState(SpaceState):
    """Each var maps a field name to its text (lists one item per line), as the forms edit them."""

    space: dict[str, str] = {}
    organization: dict[str, str] = {}
    effective: dict[str, str] = {}
    guidelines: list[GuidelineRow] = []
    error: str = ""
    loaded: bool = False
    """The forms hold the stored voice: they are shown from then on (typing before would be lost)."""
    form_key: str = ""
    """The forms' React key: the space and a revision that moves only when the stored voice differs from what
    the forms were mounted with, so a reload of the same voice never re-mounts them under the user's typing."""
    _revision: int = 0

    async def _save_then_reload(self, save: Callable[[], Awaitable[Any]] | None = None) -> None:
        if save is not None:
            await save()
        ctx = await self._ctx()
        data = await brand_voice.get_brand_voice(ctx)
        documents, _ = await documents_service.list_documents(ctx, status="ready", limit=MAX_DOCUMENTS)
        linked = set(data["space"].get(brand_voice.GUIDELINE_DOCUMENTS) or [])
        guidelines = [GuidelineRow(id=str(d.id), title=d.title, linked=str(d.id) in linked) for d in documents]
        space, organization = _as_form(data["space"]), _as_form(data["organization"])
        key = f"{ctx.space_id}:{self._revision}"
        if (space, organization, guidelines) != (self.space, self.organization, self.guidelines) or (
            not self.form_key.startswith(f"{ctx.space_id}:")
        ):
            self._revision += 1
            key = f"{ctx.space_id}:{self._revision}"
        self.space, self.organization, self.guidelines = space, organization, guidelines
        self.effective = _shown(data["effective"], {row["id"]: row["title"] for row in guidelines})
        self.form_key, self.loaded = key, True

    @rx.event
    async def load(self) -> Any:
        return await self._call(self._save_then_reload())

    @rx.event
    async def save_space(self, form: dict[str, Any]) -> Any:
        async def save() -> None:
            await brand_voice.set_space_brand_voice(
                await self._ctx(), _fields(form, documents=True), documents=documents_service.ready_document_ids
            )

        return await self._call(self._save_then_reload(save), success="Space brand voice saved")

    @rx.event
    async def save_organization(self, form: dict[str, Any]) -> Any:
        async def save() -> None:
            await brand_voice.set_organization_brand_voice(await self._principal(), _fields(form, documents=False))

        return await self._call(self._save_then_reload(save), success="Organization brand voice saved")
