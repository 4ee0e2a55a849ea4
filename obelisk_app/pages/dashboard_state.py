"""State of the Dashboard: the current space's aggregates for a date range, as chart rows.

The range is the page's own (presets or two dates); the scope never is: every load asks `_ctx()` for the
caller's verified space, so a browser naming another space's id gets its own space's figures or a refusal.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict

import reflex as rx

from backend.content.review import LABELS
from backend.core.errors import ValidationFailed
from backend.dashboard import service
from backend.dashboard.schemas import Count, DashboardPublic, RecentRun
from obelisk_app.states.space import SpaceState

PRESETS = {"7": 7, "30": 30, "90": 90}


class CountPoint(TypedDict):
    key: str
    count: int


class RunRow(TypedDict):
    id: str
    agent: str
    status: str
    stop_reason: str
    when: str
    error: str


class AgentUsage(TypedDict):
    agent: str
    tokens_in: int
    tokens_out: int


class ScoreRow(TypedDict):
    date: str
    average: float
    versions: int


class TrafficRow(TypedDict):
    date: str
    sessions: float
    conversions: float


class LandingPageRow(TypedDict):
    page: str
    sessions: float
    conversions: float


class RankedItemRow(TypedDict):
    id: str
    title: str
    published: str
    days: str
    sessions: str
    conversions: str
    per_day: str


class ModelUsageRow(TypedDict):
    agent: str
    model: str
    calls: str
    tokens: str
    cost: str


def _points(counts: list[Count]) -> list[CountPoint]:
    return [CountPoint(key=c.key.replace("_", " "), count=c.count) for c in counts]


def _run_row(run: RecentRun) -> RunRow:
    return RunRow(
        id=str(run.id),
        agent=run.agent,
        status=run.status,
        stop_reason=(run.stop_reason or "").replace("_", " "),
        when=run.created_at.astimezone(UTC).strftime("%d %b %H:%M"),
        error=run.error or "",
    )


def _by_agent(data: DashboardPublic) -> list[AgentUsage]:
    totals: dict[str, list[int]] = {}
    for row in data.usage.rows:
        pair = totals.setdefault(row.agent, [0, 0])
        pair[0] += row.tokens_in
        pair[1] += row.tokens_out
    ranked = sorted(totals.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))
    return [AgentUsage(agent=agent, tokens_in=t[0], tokens_out=t[1]) for agent, t in ranked]


def _cost(value: float | None) -> str:
    if value is None:
        return "no price known"
    return "$0.00" if value == 0 else f"${value:,.4f}" if value < 1 else f"${value:,.2f}"


def _model_rows(data: DashboardPublic) -> list[ModelUsageRow]:
    return [
        ModelUsageRow(
            agent=r.agent,
            model=r.model,
            calls=f"{r.calls:,}",
            tokens=f"{r.tokens_in + r.tokens_out:,}",
            cost=_cost(r.estimated_cost_usd),
        )
        for r in data.usage.rows
    ]


class DashboardState(SpaceState):
    start_date: str = ""
    end_date: str = ""
    preset: str = "30"
    runs_total: int = 0
    runs_by_status: list[CountPoint] = []
    stop_reasons: list[CountPoint] = []
    recent_runs: list[RunRow] = []
    usage_by_agent: list[AgentUsage] = []
    usage_rows: list[ModelUsageRow] = []
    total_tokens: str = "0"
    total_cost: str = "$0.00"
    unpriced: str = ""
    documents_total: int = 0
    documents_by_status: list[CountPoint] = []
    quarantined_chunks: int = 0
    pipeline_total: int = 0
    pipeline: list[CountPoint] = []
    voice_trend: list[ScoreRow] = []
    ga4_state: str = ""
    ga4_message: str = ""
    ga4_property: str = ""
    ga4_sessions: str = "0"
    ga4_conversions: str = "0"
    traffic: list[TrafficRow] = []
    landing_pages: list[LandingPageRow] = []
    ranked_items: list[RankedItemRow] = []
    loaded: bool = False
    error: str = ""

    def _show(self, data: DashboardPublic) -> None:
        self.start_date, self.end_date = data.start_date.isoformat(), data.end_date.isoformat()
        self.runs_total = data.runs.total
        self.runs_by_status = _points(data.runs.by_status)
        self.stop_reasons = _points(data.runs.by_stop_reason)
        self.recent_runs = [_run_row(r) for r in data.runs.recent]
        self.usage_by_agent = _by_agent(data)
        self.usage_rows = _model_rows(data)
        self.total_tokens = f"{data.usage.total_tokens:,}"
        self.total_cost = _cost(data.usage.estimated_cost_usd)
        self.unpriced = ", ".join(data.usage.unpriced_models)
        self.documents_total = data.documents.total
        self.documents_by_status = _points(data.documents.by_status)
        self.quarantined_chunks = data.documents.quarantined_chunks
        self.pipeline_total = data.pipeline.total
        self.pipeline = [CountPoint(key=LABELS.get(c.key, c.key), count=c.count) for c in data.pipeline.by_state]
        self.voice_trend = [
            ScoreRow(date=p.date.strftime("%d %b"), average=p.average, versions=p.versions) for p in data.voice_scores
        ]
        ga4 = data.ga4
        self.ga4_state, self.ga4_message, self.ga4_property = ga4.state, ga4.message or "", ga4.property_name or ""
        self.traffic = [
            TrafficRow(date=p.date.strftime("%d %b"), sessions=p.sessions, conversions=p.conversions)
            for p in ga4.series
        ]
        self.ga4_sessions = f"{sum(p.sessions for p in ga4.series):,.0f}"
        self.ga4_conversions = f"{sum(p.conversions for p in ga4.series):,.0f}"
        self.landing_pages = [
            LandingPageRow(page=p.page, sessions=p.sessions, conversions=p.conversions) for p in ga4.top_landing_pages
        ]
        self.ranked_items = [
            RankedItemRow(
                id=r.id,
                title=r.title,
                published=r.published_at.astimezone(UTC).strftime("%d %b %Y"),
                days=f"{r.days:,}",
                sessions=f"{r.sessions:,.0f}",
                conversions=f"{r.conversions:,.0f}",
                per_day=f"{r.sessions_per_day:,.1f}",
            )
            for r in ga4.content_ranking
        ]
        self.loaded = True

    async def _fetch(self, start: str, end: str, *, fresh: bool = False) -> None:
        self._show(await service.get_dashboard(await self._ctx(), start or None, end or None, fresh=fresh))

    @rx.event
    async def load(self) -> Any:
        self.loaded = False
        return await self._call(self._fetch(*self._preset_range(self.preset)))

    def _preset_range(self, preset: str) -> tuple[str, str]:
        days = PRESETS.get(preset)
        if days is None:
            raise ValidationFailed("Choose 7, 30 or 90 days, or pick two dates.", code="invalid_date_range")
        today = datetime.now(UTC).date()
        return (today - timedelta(days=days - 1)).isoformat(), today.isoformat()

    @rx.event
    async def choose_preset(self, preset: str) -> Any:
        async def work() -> None:
            start, end = self._preset_range(str(preset))
            await self._fetch(start, end)
            self.preset = str(preset)

        return await self._call(work())

    @rx.event
    async def refresh(self) -> Any:
        """The shown range again, queried afresh (the dashboard is otherwise cached for a few seconds)."""
        return await self._call(self._fetch(self.start_date, self.end_date, fresh=True))

    @rx.event
    async def choose_dates(self, form: dict[str, Any]) -> Any:
        async def work() -> None:
            if not isinstance(form, dict):
                raise ValidationFailed("Pick a start and an end date.", code="invalid_date_range")
            await self._fetch(str(form.get("start_date", "")).strip(), str(form.get("end_date", "")).strip())
            self.preset = ""

        return await self._call(work())


__all__ = [
    "AgentUsage",
    "CountPoint",
    "DashboardState",
    "LandingPageRow",
    "ModelUsageRow",
    "RankedItemRow",
    "RunRow",
    "ScoreRow",
    "TrafficRow",
]
