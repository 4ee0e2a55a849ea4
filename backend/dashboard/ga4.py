"""The dashboard's GA4 panel, read through the analytics service (its cache, token refresh and quota handling).

GA4 trouble never breaks the dashboard: a space without GA4, a grant Google dropped, a property not picked
yet, or a quota or network error each become a panel state with a sentence saying what to do, and the other
panels load as usual.

The content ranking is ONE report for every linked item (dimensions `landingPage` and `date`, with an
`inListFilter` of their paths), from the earliest publication to today, however many items there are; each
item adds up only the days since its own publication (a page linked after the fact may have had visits
before). Its rows are bounded (10,000), so the ranking covers the most recently published items whose days
since publication add up to that (e.g. 100 items of 100 days). Items are ranked by sessions per day since
publication, so last week's post is not buried under last year's.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from backend.analytics import service as analytics
from backend.analytics.client import MAX_ROWS
from backend.analytics.schemas import MAX_FILTER_VALUES, ReportRequest
from backend.content import links
from backend.core.db import get_database
from backend.core.errors import AppError
from backend.dashboard import repository
from backend.dashboard.schemas import ContentRank, Ga4Panel, LandingPage, TrafficPoint
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)

TOP_PAGES = 10
RANKED_ITEMS = MAX_FILTER_VALUES // 2
"""The most recently published linked items ranked (two paths each: with and without a trailing slash)."""
CONVERSIONS = "keyEvents"
"""GA4 renamed conversions to key events in 2024; `conversions` is deprecated in the Data API."""


def _day(value: str) -> date | None:
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except (ValueError, IndexError):
        return None


async def content_ranking(ctx: SpaceContext, today: date) -> list[ContentRank]:
    """The space's linked published items, best first, from one GA4 report (raises AppError on GA4 trouble)."""
    async with get_database().tenant(ctx.scope) as session:
        linked = await repository.linked_items(session, ctx.scope, limit=RANKED_ITEMS)
    items, budget = [], MAX_ROWS
    for item_id, title, url, when in linked:  # newest first: the rows of a day per item fit in one report
        published = min(when.astimezone(UTC).date(), today)
        days = (today - published).days + 1
        if days > budget:
            break
        items.append((item_id, title, url, when, published, days))
        budget -= days
    if not items:
        return []
    paths = sorted({path for _, _, url, *_ in items for path in links.path_variants(url)})
    report = await analytics.run_report(
        ctx,
        ReportRequest(
            metrics=["sessions", CONVERSIONS],
            dimensions=["landingPage", "date"],
            start_date=min(i[4] for i in items).isoformat(),
            end_date=today.isoformat(),
            limit=MAX_ROWS,
            order_by="sessions",
            filter_dimension="landingPage",
            filter_values=paths,
        ),
    )
    by_path: dict[str, list[tuple[date, float, float]]] = {}
    for r in report.rows:
        day = _day(r.dimensions.get("date", ""))
        if day is not None:
            figures = (day, r.metrics.get("sessions", 0.0), r.metrics.get(CONVERSIONS, 0.0))
            by_path.setdefault(r.dimensions.get("landingPage", ""), []).append(figures)
    ranked = []
    for item_id, title, url, when, published, days in items:
        rows = [f for p in links.path_variants(url) for f in by_path.get(p, []) if f[0] >= published]
        sessions, conversions = sum(f[1] for f in rows), sum(f[2] for f in rows)
        ranked.append(
            ContentRank(
                id=str(item_id),
                title=title,
                url=url,
                published_at=when,
                days=days,
                sessions=sessions,
                conversions=conversions,
                sessions_per_day=round(sessions / days, 2),
                conversions_per_day=round(conversions / days, 2),
            )
        )
    return sorted(ranked, key=lambda r: (-r.sessions_per_day, -r.conversions_per_day, r.title))


async def ga4_panel(ctx: SpaceContext, start: date, end: date) -> Ga4Panel:
    """The panel for the range (both days included)."""
    state, message, status = await analytics.availability(ctx)
    if state == "not_connected":
        message = "Connect Google Analytics 4 to see traffic and conversions."
    if state != "ok":
        return Ga4Panel(state=state, message=message)  # type: ignore[arg-type]
    first, last = start.isoformat(), end.isoformat()
    try:
        daily = await analytics.run_report(
            ctx,
            ReportRequest(
                metrics=["sessions", CONVERSIONS], dimensions=["date"], limit=400, start_date=first, end_date=last
            ),
        )
        pages = await analytics.run_report(
            ctx,
            ReportRequest(
                metrics=["sessions", CONVERSIONS],
                dimensions=["landingPage"],
                order_by="sessions",
                limit=TOP_PAGES,
                start_date=first,
                end_date=last,
            ),
        )
        ranking = await content_ranking(ctx, datetime.now(UTC).date())
    except AppError as exc:
        logger.info("GA4 panel unavailable", extra={"space_id": str(ctx.space_id), "code": exc.code})
        return Ga4Panel(state="error", message=exc.message, property_name=status.property_name)
    by_day: dict[date, tuple[float, float]] = {}
    for row in daily.rows:
        day = _day(row.dimensions.get("date", ""))
        if day is not None:
            by_day[day] = (row.metrics.get("sessions", 0.0), row.metrics.get(CONVERSIONS, 0.0))
    series = []
    day = start
    while day <= end:
        sessions, conversions = by_day.get(day, (0.0, 0.0))
        series.append(TrafficPoint(date=day, sessions=sessions, conversions=conversions))
        day += timedelta(days=1)
    top = [
        LandingPage(
            page=row.dimensions.get("landingPage", "(not set)"),
            sessions=row.metrics.get("sessions", 0.0),
            conversions=row.metrics.get(CONVERSIONS, 0.0),
        )
        for row in pages.rows
    ]
    return Ga4Panel(
        state="ok",
        property_name=status.property_name,
        series=series,
        top_landing_pages=top,
        content_ranking=ranking,
    )


__all__ = ["content_ranking", "ga4_panel"]
