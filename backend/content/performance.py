"""Content meets its numbers: a published item's URL, and its GA4 figures since it was published. `ctx` first.

The figures are the sessions that landed on the item's page (GA4 `landingPage` = its URL's path, with and
without a trailing slash), their key events and engagement, day by day from the publication day to today,
read through the analytics service (its cache per space and request, token refresh, quota pause, the
per-property concurrency limit). GA4 trouble is a state with a sentence, never an error page.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from backend.analytics import service as analytics
from backend.analytics.schemas import ReportRequest
from backend.content import links, repository, service
from backend.content.models import ContentItem
from backend.content.schemas import ContentPerformance, ContentPublic, PerformancePoint
from backend.core.db import get_database
from backend.core.errors import AppError, Conflict, Forbidden, NotFound
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)

CONVERSIONS = "keyEvents"
"""GA4 renamed conversions to key events in 2024; `conversions` is deprecated in the Data API."""
ITEM_NOT_FOUND = "No such content item in this space."


def _item_id(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound(ITEM_NOT_FOUND, code="content_not_found") from None


def _found(item: ContentItem | None) -> ContentItem:
    if item is None:
        raise NotFound(ITEM_NOT_FOUND, code="content_not_found")
    return item


async def set_published_url(ctx: SpaceContext, item_id: Any, url: str | None) -> ContentPublic:
    """Link a published item to the address it is live at, or unlink it with None (editors).

    Only an item that has been published can be linked: a draft has no live page to measure. `url` is one
    `links.clean_url` accepted (the API's schema checks it; a hostile browser's value is checked again here).
    """
    if not ctx.can("editor"):
        raise Forbidden("Your role in this space is read-only.", code="editor_required")
    iid = _item_id(item_id)
    try:
        cleaned = links.clean_url(url) if url is not None and url.strip() else None
    except ValueError as exc:
        raise AppError(str(exc), code="invalid_url", status_code=422) from None
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        item = _found(await repository.get_item(session, ctx.scope, item_id=iid, lock=True))
        if item.published_at is None:
            raise Conflict("Publish the item before linking it to its address.", code="not_published")
        item.published_url = cleaned
        session.add(item)
    return await service.get_item(ctx, iid)


def _day(value: str) -> date | None:
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except (ValueError, IndexError):
        return None


async def item_performance(ctx: SpaceContext, item_id: Any, *, today: date | None = None) -> ContentPerformance:
    """The item's GA4 figures since its publication (any member)."""
    iid = _item_id(item_id)
    async with get_database().tenant(ctx.scope) as session:
        item = _found(await repository.get_item(session, ctx.scope, item_id=iid))
    if item.published_at is None:
        return ContentPerformance(state="not_published", message="Figures come once the item is published.")
    if not item.published_url:
        return ContentPerformance(
            state="not_linked", message="Link the item to the address it is published at to see its GA4 figures."
        )
    url, path = item.published_url, links.page_path(item.published_url)
    state, message, _ = await analytics.availability(ctx)
    if state != "ok":
        return ContentPerformance(state=state, message=message, url=url, path=path)  # type: ignore[arg-type]
    start = item.published_at.astimezone(UTC).date()
    end = max(start, today or datetime.now(UTC).date())
    days = (end - start).days + 1
    request = ReportRequest(
        metrics=["sessions", CONVERSIONS, "engagementRate"],
        dimensions=["date"],
        start_date=start.isoformat(),
        end_date=end.isoformat(),
        limit=min(10_000, days),
        filter_dimension="landingPage",
        filter_values=links.path_variants(url),
    )
    try:
        report = await analytics.run_report(ctx, request)
    except AppError as exc:
        logger.info("GA4 figures of an item unavailable", extra={"space_id": str(ctx.space_id), "code": exc.code})
        state = "needs_reconnect" if exc.code == "ga4_needs_reconnect" else "error"
        return ContentPerformance(state=state, message=exc.message, url=url, path=path)  # type: ignore[arg-type]
    by_day: dict[date, tuple[float, float, float]] = {}
    for row in report.rows:
        day = _day(row.dimensions.get("date", ""))
        if day is not None:
            m = row.metrics
            by_day[day] = (m.get("sessions", 0.0), m.get(CONVERSIONS, 0.0), m.get("engagementRate", 0.0))
    series, day = [], start
    while day <= end:
        sessions, conversions, _rate = by_day.get(day, (0.0, 0.0, 0.0))
        series.append(PerformancePoint(date=day, sessions=sessions, conversions=conversions))
        day += timedelta(days=1)
    sessions = sum(s for s, _, _ in by_day.values())
    engaged = sum(s * r for s, _, r in by_day.values())
    return ContentPerformance(
        state="ok",
        url=url,
        path=path,
        start_date=start,
        end_date=end,
        days=days,
        sessions=sessions,
        conversions=sum(c for _, c, _ in by_day.values()),
        engagement_rate=round(engaged / sessions, 4) if sessions else None,
        sessions_per_day=round(sessions / days, 2),
        series=series,
    )


__all__ = ["item_performance", "set_published_url"]
