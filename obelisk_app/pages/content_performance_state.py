"""State of a content item's "live page" card: the address a published item is live at, and that page's GA4
figures since its publication. Separate from `ContentItemState` (review and versions) because it loads from
Google, and a GA4 state (not connected, reconnect) must never hide the item. Every handler resolves the
caller's scope on the server; the item id comes from the route."""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from backend.content import performance, service
from backend.content.schemas import ContentPerformance, PublishedUrlUpdate
from obelisk_app.pages.content_rows import valid
from obelisk_app.states import SpaceState

INTEGRATION_STATES = ("not_configured", "not_connected", "needs_reconnect", "no_property")
"""GA4 states an admin fixes on the Integrations page (the card links there)."""


class DayRow(TypedDict):
    date: str
    sessions: float
    conversions: float


class ContentPerformanceState(SpaceState):
    published: bool = False
    url: str = ""
    url_draft: str = ""
    perf_state: str = ""
    perf_message: str = ""
    since: str = ""
    sessions: str = ""
    conversions: str = ""
    per_day: str = ""
    engagement: str = ""
    days: list[DayRow] = []
    error: str = ""

    def _item_id(self) -> str:
        return str(self.content_id)

    def _show(self, figures: ContentPerformance) -> None:
        self.perf_state, self.perf_message = figures.state, figures.message or ""
        self.since = figures.start_date.strftime("%d %b %Y") if figures.start_date else ""
        self.sessions, self.conversions = f"{figures.sessions:,.0f}", f"{figures.conversions:,.0f}"
        self.per_day = f"{figures.sessions_per_day:,.1f}"
        rate = figures.engagement_rate
        self.engagement = "–" if rate is None else f"{rate:.0%}"
        self.days = [
            DayRow(date=p.date.strftime("%d %b"), sessions=p.sessions, conversions=p.conversions)
            for p in figures.series
        ]

    async def _load(self) -> None:
        ctx = await self._ctx()
        item = await service.get_item(ctx, self._item_id())
        self.published, self.url = item.published_at is not None, item.published_url or ""
        self.url_draft = self.url
        self._show(await performance.item_performance(ctx, item.id))

    @rx.event
    async def load(self) -> Any:
        self.perf_state, self.days = "", []
        return await self._call(self._load())

    @rx.event
    def set_url_draft(self, value: str) -> None:
        self.url_draft = str(value)[:2000]

    async def _link(self, url: str | None) -> None:
        data = valid(PublishedUrlUpdate, {"url": url})
        await performance.set_published_url(await self._ctx(), self._item_id(), data.url)
        await self._load()

    @rx.event
    async def save_url(self) -> Any:
        return await self._call(self._link(self.url_draft.strip() or None), success="Address saved")

    @rx.event
    async def unlink(self) -> Any:
        return await self._call(self._link(None), success="Address removed")


__all__ = ["INTEGRATION_STATES", "ContentPerformanceState", "DayRow"]
