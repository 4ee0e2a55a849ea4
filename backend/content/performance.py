"""Content meets its numbers: a published item's URL, and its GA4 figures since it was published. `ctx` first.

The figures are the sessions that landed on the item's page (GA4 `landingPage` = its URL's path, with and
without a trailing slash), their key events and engagement, day by day from the publication day to today,
read through the analytics service (its cache per space and request, token refresh, quota pause, the
per-property concurrency limit). GA4 trouble is a state with a sentence, never an error page.

The ranking of all linked items (`ranked_items`: the dashboard's and the agents') is ONE report for every
linked item (dimensions `landingPage` and `date`, with an `inListFilter` of their paths), from the earliest
publication to today, however many items there are; each item adds up only the days since its own publication
(a page linked after the fact may have had visits before). Its rows are bounded (10,000), so the ranking covers
the most recently published items whose days since publication add up to that (e.g. 100 items of 100 days).
Items are ranked by sessions per day since publication, so last week's post is not buried under last year's.

The agents' tools read the same ranking through `own_content` (registered into the agents' tool env at import
time, since agents may not import content): the caller's space only, with a state saying when GA4 is not
connected or no item is linked.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from backend.agents.tools.base import OwnContent, OwnContentItem, OwnContentState
from backend.agents.tools.env import register_own_content_provider
from backend.analytics import service as analytics
from backend.analytics.client import MAX_ROWS
from backend.analytics.schemas import MAX_FILTER_VALUES, ReportPublic, ReportRequest
from backend.content import links, repository, service
from backend.content.schemas import ContentPerformance, ContentPublic, LinkedItemFigures, PerformancePoint
from backend.core.db import get_database
from backend.core.errors import AppError, Conflict, Forbidden
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)

CONVERSIONS = "keyEvents"
"""GA4 renamed conversions to key events in 2024; `conversions` is deprecated in the Data API."""
RANKED_ITEMS = MAX_FILTER_VALUES // 2
"""The most recently published linked items ranked (two paths each: with and without a trailing slash)."""


async def set_published_url(ctx: SpaceContext, item_id: Any, url: str | None) -> ContentPublic:
    """Link a published item to the address it is live at, or unlink it with None (editors).

    Only an item that has been published can be linked: a draft has no live page to measure. `url` is one
    `links.clean_url` accepted (the API's schema checks it; a hostile browser's value is checked again here).
    """
    if not ctx.can("editor"):
        raise Forbidden("Your role in this space is read-only.", code="editor_required")
    iid = service.parse_item_id(item_id)
    try:
        cleaned = links.clean_url(url) if url is not None and url.strip() else None
    except ValueError as exc:
        raise AppError(str(exc), code="invalid_url", status_code=422) from None
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        item = service.require_item(await repository.get_item(session, ctx.scope, item_id=iid, lock=True))
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
    iid = service.parse_item_id(item_id)
    async with get_database().tenant(ctx.scope) as session:
        item = service.require_item(await repository.get_item(session, ctx.scope, item_id=iid))
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


async def ranked_items(ctx: SpaceContext, today: date) -> list[LinkedItemFigures]:
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
    request = ReportRequest(
        metrics=["sessions", CONVERSIONS],
        dimensions=["landingPage", "date"],
        start_date=min(i[4] for i in items).isoformat(),
        end_date=today.isoformat(),
        limit=MAX_ROWS,
        order_by="sessions",
        filter_dimension="landingPage",
        filter_values=paths,
    )
    # The ranking, not the report's rows, is what each dashboard load reads back: parsing up to 10,000 cached
    # rows again cost tens of milliseconds a load (bench/bench_dashboard.py, GA4 connected).
    inputs = "\n".join(f"{i[0]}\t{i[1]}\t{i[2]}\t{i[3].isoformat()}\t{i[5]}" for i in items)
    return await analytics.summarised_report(
        ctx, request, lambda report: _rank(items, report), adapter=_RANKING, inputs=inputs
    )


_RANKING: TypeAdapter[list[LinkedItemFigures]] = TypeAdapter(list[LinkedItemFigures])


def _rank(items: list[tuple[Any, str, str, datetime, date, int]], report: ReportPublic) -> list[LinkedItemFigures]:
    """Each item's figures from the report's rows of its page's paths since its publication, best first."""
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
            LinkedItemFigures(
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


async def own_content(ctx: SpaceContext, *, today: date | None = None) -> OwnContent:
    """The agents' view of the team's published content with its numbers: `ctx`'s space only, best first.

    GA4 not usable: the linked items without figures and GA4's state with its sentence; no item linked:
    `no_linked_items`; a GA4 error while reading: `error` (or `needs_reconnect`) with its sentence.
    """
    state, message, _ = await analytics.availability(ctx)
    if state != "ok":
        async with get_database().tenant(ctx.scope) as session:
            linked = await repository.linked_items(session, ctx.scope, limit=RANKED_ITEMS)
        if not linked:
            return OwnContent(state="no_linked_items", message="No published item is linked to its address.")
        now = today or datetime.now(UTC).date()
        bare = tuple(
            OwnContentItem(
                title=title, url=url, published_at=when, days=(now - min(when.astimezone(UTC).date(), now)).days + 1
            )
            for _, title, url, when in linked
        )
        return OwnContent(state=state, message=message, items=bare)  # type: ignore[arg-type]
    try:
        ranked = await ranked_items(ctx, today or datetime.now(UTC).date())
    except AppError as exc:
        logger.info("GA4 figures of the team's content unavailable", extra={"space_id": str(ctx.space_id)})
        failed: OwnContentState = "needs_reconnect" if exc.code == "ga4_needs_reconnect" else "error"
        return OwnContent(state=failed, message=exc.message)
    if not ranked:
        return OwnContent(state="no_linked_items", message="No published item is linked to its address.")
    items = tuple(
        OwnContentItem(
            title=r.title,
            url=r.url,
            published_at=r.published_at,
            days=r.days,
            sessions=r.sessions,
            conversions=r.conversions,
            sessions_per_day=r.sessions_per_day,
        )
        for r in ranked
    )
    return OwnContent(state="ok", items=items)


register_own_content_provider(own_content)

__all__ = ["RANKED_ITEMS", "item_performance", "own_content", "ranked_items", "set_published_url"]
