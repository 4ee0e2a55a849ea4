"""State of the Content page: the space's items by state and type, a new item, and the review policy."""

from __future__ import annotations

from typing import Any

import reflex as rx

from backend.content import service
from backend.content.schemas import CONTENT_TYPES, ContentCreate
from obelisk_app.pages.content_rows import ContentRow, content_row
from obelisk_app.states import SpaceState

ALL = "all"


class ContentState(SpaceState):
    items: list[ContentRow] = []
    total: int = 0
    state_filter: str = ALL
    type_filter: str = ALL
    query: str = ""
    new_title: str = ""
    new_type: str = "blog_post"
    new_body: str = ""
    require_supported: bool = False
    error: str = ""

    async def _refresh(self) -> None:
        ctx = await self._ctx()
        rows, self.total = await service.list_items(
            ctx,
            states=[] if self.state_filter == ALL else [self.state_filter],
            content_type=None if self.type_filter == ALL else self.type_filter,
            search=self.query or None,
            limit=200,
        )
        self.items = [content_row(r) for r in rows]
        self.require_supported = (await service.get_review_settings(ctx)).require_supported_claims

    @rx.event
    async def load(self) -> Any:
        return await self._call(self._refresh())

    @rx.event
    async def set_state_filter(self, value: str) -> Any:
        self.state_filter = value
        return await self._call(self._refresh())

    @rx.event
    async def set_type_filter(self, value: str) -> Any:
        self.type_filter = value
        return await self._call(self._refresh())

    @rx.event
    def set_query(self, value: str) -> None:
        self.query = value

    @rx.event
    async def search(self) -> Any:
        return await self._call(self._refresh())

    @rx.event
    def set_new_title(self, value: str) -> None:
        self.new_title = value

    @rx.event
    def set_new_type(self, value: str) -> None:
        self.new_type = value if value in CONTENT_TYPES else "blog_post"

    @rx.event
    def set_new_body(self, value: str) -> None:
        self.new_body = value

    async def _create(self) -> Any:
        if not self.new_title.strip() or not self.new_body.strip():
            self.error = "Give the item a title and a text."
            return None
        item = await service.create_item(
            await self._ctx(),
            ContentCreate(title=self.new_title, type=self.new_type, body=self.new_body),  # type: ignore[arg-type]
        )
        self.new_title, self.new_body = "", ""
        return rx.redirect(f"/content/{item.id}")

    @rx.event
    async def create(self) -> Any:
        return await self._call(self._create(), success="Saved as version 1, scored")

    async def _set_require(self, value: bool) -> None:
        changed = await service.set_review_settings(await self._ctx(), require_supported_claims=value)
        self.require_supported = changed.require_supported_claims

    @rx.event
    async def set_require_supported(self, value: bool) -> Any:
        return await self._call(self._set_require(bool(value)), success="Review policy saved")
