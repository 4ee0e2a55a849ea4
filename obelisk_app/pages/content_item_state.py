"""State of one content item's page: a version with its scores, edits, one-click fixes, the diff against an
earlier version, review actions, history and comments. The item id comes from the route, and every handler
resolves the caller's scope on the server, so a browser naming another space's item gets "not found"."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from backend.content import audit, service
from backend.content.diff import DiffSegment
from backend.content.review import LABELS
from backend.content.schemas import TYPE_LABELS, CommentCreate, TransitionCreate, VersionCreate
from obelisk_app.pages.content_performance_state import ContentPerformanceState
from obelisk_app.pages.content_rows import (
    ActionRow,
    ClaimRow,
    CommentRow,
    FlagRow,
    PreviewRow,
    SubScoreRow,
    TransitionRow,
    VersionRow,
    action_rows,
    claim_rows,
    comment_row,
    diff_rows,
    flag_rows,
    preview_rows,
    sub_score_rows,
    transition_row,
    valid,
    version_row,
)
from obelisk_app.states import SpaceState


class ContentItemState(SpaceState):
    title: str = ""
    type_label: str = ""
    state: str = ""
    state_label: str = ""
    current_version: int = 0
    viewing: str = ""
    body: str = ""
    draft: str = ""
    voice_score: str = ""
    sub_scores: list[SubScoreRow] = []
    flags: list[FlagRow] = []
    claims: list[ClaimRow] = []
    unsupported: int = 0
    previews: list[PreviewRow] = []
    versions: list[VersionRow] = []
    actions: list[ActionRow] = []
    transitions: list[TransitionRow] = []
    comments: list[CommentRow] = []
    compare_with: str = ""
    diff: list[DiffSegment] = []
    note: str = ""
    override: bool = False
    comment: str = ""
    error: str = ""

    def _item_id(self) -> str:
        # `content_id` is the route variable Reflex adds for the `[content_id]` of routes.CONTENT_ITEM.
        return str(self.content_id)

    async def _load(self, viewing: int | None = None) -> None:
        ctx = await self._ctx()
        item = await service.get_item(ctx, self._item_id())
        self.title, self.state = item.title, item.state
        self.type_label, self.state_label = TYPE_LABELS.get(item.type, item.type), LABELS.get(item.state, item.state)
        self.current_version = item.current_version
        self.versions = [version_row(v) for v in reversed(item.versions)]
        self.actions = action_rows(item.allowed_actions)
        self.transitions = [transition_row(t) for t in reversed(item.transitions)]
        self.comments = [comment_row(c) for c in item.comments]
        number = viewing if viewing and 1 <= viewing <= item.current_version else item.current_version
        version = await service.get_version(ctx, item.id, number)
        self.viewing, self.body = str(number), version.body
        self.draft = version.body if number == item.current_version else self.draft or version.body
        voice, grounding = version.scores.get("brand_voice") or {}, version.scores.get("grounding") or {}
        self.voice_score = str(voice.get("score", "–"))
        self.sub_scores = sub_score_rows(voice)
        self.flags = flag_rows(voice, editable=number == item.current_version)
        self.claims, self.unsupported = claim_rows(grounding), int(grounding.get("unsupported") or 0)
        self.previews = preview_rows(version.scores.get("previews") or {})
        if not self.compare_with or int(self.compare_with) >= number:
            self.compare_with = str(number - 1) if number > 1 else ""
        self.diff = (
            diff_rows(await service.diff_versions(ctx, item.id, self.compare_with, number)) if self.compare_with else []
        )

    @rx.event
    async def load(self) -> Any:
        self.compare_with, self.note, self.override, self.comment, self.draft = "", "", False, "", ""
        return await self._call(self._load())

    @rx.event
    async def view_version(self, number: str) -> Any:
        self.compare_with = ""
        return await self._call(self._load(int(number) if str(number).isdigit() else None))

    @rx.event
    async def set_compare(self, number: str) -> Any:
        self.compare_with = number if str(number).isdigit() else ""
        return await self._call(self._load(int(self.viewing) if self.viewing.isdigit() else None))

    @rx.event
    def set_draft(self, value: str) -> None:
        self.draft = value

    async def _save(self) -> None:
        saved = await service.add_version(
            await self._ctx(), self._item_id(), valid(VersionCreate, {"body": self.draft})
        )
        self.compare_with = ""
        await self._load(saved.number)

    @rx.event
    async def save_version(self) -> Any:
        return await self._call(self._save(), success="Saved as a new version, scored")

    async def _apply(self, index: int) -> None:
        number = int(self.viewing) if self.viewing.isdigit() else self.current_version
        flag = int(index) if str(index).isdigit() else -1  # anything else is "no such flag" to the service
        saved = await service.apply_fix(await self._ctx(), self._item_id(), number, flag)
        self.compare_with = ""
        self.draft = saved.body
        await self._load(saved.number)

    @rx.event
    async def apply_fix(self, index: int) -> Any:
        return await self._call(self._apply(index), success="Fix applied as a new version")

    @rx.event
    def set_note(self, value: str) -> None:
        self.note = value

    @rx.event
    def set_override(self, value: bool) -> None:
        self.override = bool(value)

    async def _transition(self, action: str) -> Any:
        data = valid(
            TransitionCreate,
            {"action": action, "version": self.current_version, "note": self.note or None, "override": self.override},
        )
        await service.transition(await self._ctx(), self._item_id(), data)
        self.note, self.override = "", False
        await self._load()
        # Published: the live-page card can now take the item's address.
        return ContentPerformanceState.load if data.action == "publish" else None

    @rx.event
    async def transition(self, action: str) -> Any:
        return await self._call(self._transition(action), success="Review updated")

    @rx.event
    def set_comment(self, value: str) -> None:
        self.comment = value

    async def _comment(self) -> None:
        number = int(self.viewing) if self.viewing.isdigit() else None
        await service.add_comment(
            await self._ctx(), self._item_id(), valid(CommentCreate, {"body": self.comment, "version": number})
        )
        self.comment = ""
        await self._load(number)

    @rx.event
    async def add_comment(self) -> Any:
        return await self._call(self._comment())

    async def _download(self, fmt: str) -> Any:
        pack = await service.audit_pack(await self._ctx(), self._item_id())
        if fmt == "markdown":
            return rx.download(data=audit.to_markdown(pack), filename="audit-pack.md")
        return rx.download(data=json.dumps(pack, indent=2, default=str), filename="audit-pack.json")

    @rx.event
    async def download_audit(self, fmt: str) -> Any:
        return await self._call(self._download(fmt))
