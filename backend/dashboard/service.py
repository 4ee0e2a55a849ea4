"""The dashboard's data for the caller's current space: what the landing page and `GET /api/v1/dashboard` call.

Read-only aggregates in one tenant transaction, cached briefly (`DASHBOARD_CACHE_SECONDS`) under a key made of
the space's scope and the date range, so two spaces (or two ranges) never share an entry; the GA4 panel is
read through the analytics service, which caches its reports itself. Any member of the
space may read it, viewers included.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from backend.content.review import STATES
from backend.core.cache import get_cache, get_json, set_json
from backend.core.config import get_settings
from backend.core.db import get_database
from backend.core.errors import ValidationFailed
from backend.dashboard import repository
from backend.dashboard.ga4 import ga4_panel
from backend.dashboard.pricing import estimate_cost, price_list
from backend.dashboard.repository import Window
from backend.dashboard.schemas import (
    Count,
    DashboardPublic,
    DocumentsPanel,
    PipelinePanel,
    RecentRun,
    RunsPanel,
    ScorePoint,
    UsagePanel,
    UsageRow,
)
from backend.tenancy.context import SpaceContext

DEFAULT_DAYS = 30
MAX_DAYS = 366
RECENT_RUNS = 10


def _parse(value: date | str | None, label: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10]) if len(text) == 10 else date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"The {label} must be a date like 2026-01-31 (got '{text[:20]}').", code="invalid_date_range"
        ) from None


def date_range(start: date | str | None, end: date | str | None, *, today: date | None = None) -> tuple[date, date]:
    """The range asked for (both days included); the last 30 days up to today (UTC) when not given."""
    today = today or datetime.now(UTC).date()
    end_day = _parse(end, "end date") or today
    start_day = _parse(start, "start date") or end_day - timedelta(days=DEFAULT_DAYS - 1)
    if start_day > end_day:
        raise ValidationFailed("The start date must be on or before the end date.", code="invalid_date_range")
    if (end_day - start_day).days + 1 > MAX_DAYS:
        raise ValidationFailed(f"Choose a range of at most {MAX_DAYS} days.", code="invalid_date_range")
    return start_day, end_day


def _window(start: date, end: date) -> Window:
    return Window(
        start=datetime.combine(start, time.min, tzinfo=UTC),
        end=datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def cache_key(ctx: SpaceContext, start: date, end: date) -> str:
    """The cache entry of one space and one range."""
    return f"dashboard:{ctx.scope.key()}:{start.isoformat()}:{end.isoformat()}"


def _runs_panel(counts: list[tuple[str, str | None, int]], recent: list[Any]) -> RunsPanel:
    by_status: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    for status, reason, n in counts:
        by_status[status] = by_status.get(status, 0) + n
        if status not in ("queued", "running"):
            key = reason or "none"
            by_reason[key] = by_reason.get(key, 0) + n
    return RunsPanel(
        total=sum(by_status.values()),
        by_status=_sorted(by_status),
        by_stop_reason=_sorted(by_reason),
        recent=[
            RecentRun(
                id=str(r[0]),
                agent=r[1],
                status=r[2],
                stop_reason=r[3],
                error=r[4],
                created_at=r[5],
                finished_at=r[6],
            )
            for r in recent
        ],
    )


def _usage_panel(rows: list[Any]) -> UsagePanel:
    prices = price_list()
    out: list[UsageRow] = []
    for agent, provider, model, calls, tokens_in, tokens_out in rows:
        cost = estimate_cost(provider, model, int(tokens_in), int(tokens_out), prices)
        out.append(
            UsageRow(
                agent=agent,
                provider=provider,
                model=model,
                calls=int(calls),
                tokens_in=int(tokens_in),
                tokens_out=int(tokens_out),
                estimated_cost_usd=None if cost is None else round(cost, 6),
            )
        )
    return UsagePanel(
        rows=out,
        total_tokens=sum(r.tokens_in + r.tokens_out for r in out),
        estimated_cost_usd=round(sum(r.estimated_cost_usd or 0.0 for r in out), 6),
        unpriced_models=sorted({r.model for r in out if r.estimated_cost_usd is None}),
    )


def _documents_panel(rows: list[tuple[str, int, int, int]]) -> DocumentsPanel:
    return DocumentsPanel(
        total=sum(r[1] for r in rows),
        by_status=_sorted({r[0]: r[1] for r in rows}),
        quarantined_chunks=sum(r[2] for r in rows),
        documents_with_quarantine=sum(r[3] for r in rows),
    )


def _sorted(counts: dict[str, int]) -> list[Count]:
    return [Count(key=k, count=v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


async def _aggregates(ctx: SpaceContext, start: date, end: date) -> dict[str, Any]:
    """The database panels, as cached (JSON)."""
    window = _window(start, end)
    async with get_database().tenant(ctx.scope) as session:
        counts = await repository.run_counts(session, ctx.scope, window=window)
        recent = await repository.recent_runs(session, ctx.scope, window=window, limit=RECENT_RUNS)
        usage = await repository.usage_by_agent_and_model(session, ctx.scope, window=window)
        documents = await repository.document_counts(session, ctx.scope)
        content = dict(await repository.content_by_state(session, ctx.scope))
        scores = await repository.voice_score_by_day(session, ctx.scope, window=window)
    pipeline = PipelinePanel(
        total=sum(content.values()), by_state=[Count(key=state, count=content.get(state, 0)) for state in STATES]
    )
    return {
        "generated_at": datetime.now(UTC).isoformat(),
        "runs": _runs_panel(counts, recent).model_dump(mode="json"),
        "usage": _usage_panel(usage).model_dump(mode="json"),
        "documents": _documents_panel(documents).model_dump(mode="json"),
        "pipeline": pipeline.model_dump(mode="json"),
        "voice_scores": [
            ScorePoint(date=day, average=round(average, 1), versions=n).model_dump(mode="json")
            for day, average, n in scores
        ],
    }


async def get_dashboard(
    ctx: SpaceContext, start_date: date | str | None = None, end_date: date | str | None = None, *, fresh: bool = False
) -> DashboardPublic:
    """The space's dashboard for the range (default: the last 30 days).

    The database panels come from the cache while it is fresh, unless `fresh` (a person asked to refresh: the
    figures are queried again and the cache entry replaced). The GA4 panel is not cached here: its reports
    are cached by the analytics service, and its connection state must show at once (a space that just
    connected GA4, or whose grant Google just dropped, sees that on its next load).
    """
    start, end = date_range(start_date, end_date)
    ttl = get_settings().dashboard_cache_seconds
    key = cache_key(ctx, start, end)
    aggregates = await get_json(get_cache(), key) if ttl > 0 and not fresh else None
    if not isinstance(aggregates, dict):
        aggregates = await _aggregates(ctx, start, end)
        if ttl > 0:
            await set_json(get_cache(), key, aggregates, ttl)
    return DashboardPublic.model_validate(
        {
            **aggregates,
            "space_id": str(ctx.scope.space_id),
            "start_date": start,
            "end_date": end,
            "ga4": await ga4_panel(ctx, start, end),
        }
    )


__all__ = ["DEFAULT_DAYS", "MAX_DAYS", "cache_key", "date_range", "get_dashboard"]
