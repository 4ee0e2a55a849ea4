"""The dashboard's GA4 panel, read through the analytics service (its cache, token refresh and quota handling).

GA4 trouble never breaks the dashboard: a space without GA4, a grant Google dropped, a property not picked
yet, or a quota or network error each become a panel state with a sentence saying what to do, and the other
panels load as usual.

The content ranking is the content domain's (`content.performance.ranked_items`: ONE report for every linked
item, ranked by sessions per day since publication), which the agents' tools read too.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from backend.analytics import service as analytics
from backend.analytics.schemas import ReportRequest
from backend.content import performance
from backend.core.errors import AppError
from backend.dashboard.schemas import ContentRank, Ga4Panel, LandingPage, TrafficPoint
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)

TOP_PAGES = 10
CONVERSIONS = "keyEvents"
"""GA4 renamed conversions to key events in 2024; `conversions` is deprecated in the Data API."""


def _day(value: str) -> date | None:
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except (ValueError, IndexError):
        return None


async def content_ranking(ctx: SpaceContext, today: date) -> list[ContentRank]:
    """The space's linked published items, best first, from one GA4 report (raises AppError on GA4 trouble)."""
    return [ContentRank(**item.model_dump()) for item in await performance.ranked_items(ctx, today)]


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
