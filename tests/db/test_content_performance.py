"""Content meets its numbers: a published item linked to its address shows that page's GA4 figures since its
publication, and the dashboard ranks linked items from ONE report. Real PostgreSQL under row-level security,
the fake Google on 127.0.0.1 (`tests/support/fake_google.py`: a month of traffic on /pricing, /blog/guide
and /blog/old-post, nothing today)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from backend.analytics import service as analytics
from backend.analytics.schemas import ReportPublic, ReportRequest
from backend.content import performance, service
from backend.content.schemas import ContentCreate, PublishedUrlUpdate, TransitionCreate, VersionCreate
from backend.core.config import get_settings
from backend.core.db import Database, get_database
from backend.core.errors import AppError
from backend.dashboard import service as dashboard
from backend.tenancy.context import SpaceContext
from tests.db.conftest import space_context
from tests.db.test_runs_support import sibling_space
from tests.support.dashboard_data import connect_ga4
from tests.support.fake_google import ALICE, BOB, FakeGoogle, serve_fake_google, two_accounts

TODAY = datetime.now(UTC).date()


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    with serve_fake_google(monkeypatch, two_accounts()) as fake:
        yield fake


@pytest.fixture
def no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "dashboard_cache_seconds", 0)


async def published_item(ctx: SpaceContext, title: str, *, publish: str | None = None, days_ago: int = 0) -> uuid.UUID:
    """An item moved to published (linked to `publish` when given), first published `days_ago` days ago."""
    item = await service.create_item(ctx, ContentCreate(title=title, type="blog_post", body=f"{title}. Short text."))
    for action in ("submit", "approve"):
        await service.transition(ctx, item.id, TransitionCreate(action=action))  # type: ignore[arg-type]
    await service.transition(ctx, item.id, TransitionCreate(action="publish", url=publish))
    when = datetime.now(UTC) - timedelta(days=days_ago)
    async with get_database().tenant(ctx.scope) as session:
        await session.execute(
            text("UPDATE content_items SET published_at = :t WHERE id = :i"), {"t": when, "i": item.id}
        )
    return item.id


async def _code(call: object) -> str:
    with pytest.raises(AppError) as refused:
        await call  # type: ignore[misc]
    return refused.value.code


async def test_a_published_item_is_linked_to_its_address_when_published_or_afterwards(
    db: Database, spaces: tuple[SpaceContext, SpaceContext]
) -> None:
    alpha, bravo = spaces
    draft = await service.create_item(alpha, ContentCreate(title="Draft", type="email", body="Not live yet."))
    assert await _code(performance.set_published_url(alpha, draft.id, "https://alpha.example/draft")) == "not_published"

    linked = await published_item(alpha, "Pricing", publish="HTTPS://Alpha.Example/pricing/?utm_source=x#top")
    item = await service.get_item(alpha, linked)
    assert item.state == "published" and item.published_at is not None
    assert item.published_url == "https://alpha.example/pricing/?utm_source=x", "scheme and host lower-cased"

    later = await published_item(alpha, "Guide")
    assert (await service.get_item(alpha, later)).published_url is None
    updated = await performance.set_published_url(alpha, later, "https://alpha.example/blog/guide")
    assert updated.published_url == "https://alpha.example/blog/guide"
    for bad in ("javascript:alert(1)", "ftp://alpha.example/x", "https://user:pw@alpha.example/", "https://nohost"):
        assert await _code(performance.set_published_url(alpha, later, bad)) == "invalid_url", bad
        with pytest.raises(ValidationError):
            PublishedUrlUpdate(url=bad)
    with pytest.raises(ValidationError):
        TransitionCreate(action="submit", url="https://alpha.example/x")  # a url only goes with publish

    viewer = space_context(alpha.organization_id, alpha.space_id, "viewer")
    assert await _code(performance.set_published_url(viewer, later, "https://alpha.example/x")) == "editor_required"
    sibling = await sibling_space(db, alpha, "Sibling")
    for other in (bravo, sibling):
        assert await _code(performance.set_published_url(other, later, "https://evil.example/")) == "content_not_found"
        assert await _code(performance.item_performance(other, later)) == "content_not_found"
    assert (await service.get_item(alpha, later)).published_url == "https://alpha.example/blog/guide"

    unlinked = await performance.set_published_url(alpha, later, None)
    assert unlinked.published_url is None and unlinked.published_at == updated.published_at

    await service.add_version(alpha, linked, VersionCreate(body="Pricing, revised."))
    await service.transition(alpha, linked, TransitionCreate(action="submit"))
    revised = await service.get_item(alpha, linked)
    assert revised.state == "in_review" and revised.published_at == item.published_at, "first publication kept"


async def test_the_item_page_shows_its_pages_figures_since_publication(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], google: FakeGoogle
) -> None:
    alpha, bravo = spaces
    pricing = await published_item(alpha, "Pricing", publish="https://alpha.example/pricing", days_ago=7)
    assert (await performance.item_performance(alpha, pricing)).state == "not_connected"
    draft = await service.create_item(alpha, ContentCreate(title="Draft", type="email", body="Not live."))
    assert (await performance.item_performance(alpha, draft.id)).state == "not_published"
    unlinked = await published_item(alpha, "Unlinked")
    assert (await performance.item_performance(alpha, unlinked)).state == "not_linked"

    google.consent_as = ALICE
    await connect_ga4(alpha, "111")
    figures = await performance.item_performance(alpha, pricing)
    assert figures.state == "ok" and figures.path == "/pricing"
    assert figures.start_date == TODAY - timedelta(days=7) and figures.end_date == TODAY and figures.days == 8
    assert (figures.sessions, figures.conversions) == (40 * 7, 6 * 7), "7 days of /pricing; nothing today"
    assert figures.sessions_per_day == 35 and figures.engagement_rate == pytest.approx(0.71)
    assert [p.sessions for p in figures.series] == [40] * 7 + [0]
    sent = google.report_calls[-1]["body"]
    assert sent["dimensionFilter"]["filter"] == {
        "fieldName": "landingPage", "inListFilter": {"values": ["/pricing", "/pricing/"], "caseSensitive": True},
    }  # fmt: skip
    assert sent["dateRanges"] == [{"startDate": figures.start_date.isoformat(), "endDate": TODAY.isoformat()}]
    again = await performance.item_performance(alpha, pricing)
    assert again == figures and len(google.report_calls) == 1, "cached by the analytics service"

    bravo_item = await published_item(bravo, "Bravo", publish="https://bravo.example/pricing", days_ago=7)
    google.consent_as = BOB
    await connect_ga4(bravo, "222")
    assert (await performance.item_performance(bravo, bravo_item)).sessions == 0, "bravo's property, not alpha's"

    google.revoke_everything_of(ALICE)
    fresh = await published_item(alpha, "Guide", publish="https://alpha.example/blog/guide", days_ago=2)
    gone = await performance.item_performance(alpha, fresh)
    assert gone.state == "needs_reconnect" and "reconnect" in (gone.message or "")
    assert (await performance.item_performance(alpha, fresh)).state == "needs_reconnect"


async def test_the_dashboard_ranks_linked_items_from_one_report(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], google: FakeGoogle, no_cache: None
) -> None:
    alpha, bravo = spaces
    await published_item(alpha, "Pricing", publish="https://alpha.example/pricing/", days_ago=7)
    await published_item(alpha, "Guide", publish="https://alpha.example/blog/guide", days_ago=20)
    await published_item(alpha, "Old post", publish="https://alpha.example/blog/old-post", days_ago=3)
    await published_item(alpha, "Not linked", days_ago=5)
    await service.create_item(alpha, ContentCreate(title="Draft", type="email", body="Not live."))
    await published_item(bravo, "Bravo secret", publish="https://bravo.example/bravo-secret", days_ago=1)
    google.consent_as = ALICE
    await connect_ga4(alpha, "111")
    google.consent_as = BOB
    await connect_ga4(bravo, "222")

    before = len(google.report_calls)
    ranking = (await dashboard.get_dashboard(alpha, TODAY - timedelta(days=6), TODAY)).ga4.content_ranking
    assert [(r.title, r.days, r.sessions, r.conversions) for r in ranking] == [
        ("Guide", 21, 55 * 20, 1 * 20),  # 52.4 sessions a day
        ("Pricing", 8, 40 * 7, 6 * 7),  # 35 a day (its path with the trailing slash matched /pricing)
        ("Old post", 4, 30 * 3, 0),  # 22.5 a day
    ]
    assert ranking[0].sessions_per_day == 52.38 and ranking[1].conversions_per_day == 5.25
    filtered = [c for c in google.report_calls[before:] if "dimensionFilter" in c["body"]]
    assert len(filtered) == 1, "one report for every item, not one per item"
    assert sorted(filtered[0]["body"]["dimensionFilter"]["filter"]["inListFilter"]["values"]) == [
        "/blog/guide", "/blog/guide/", "/blog/old-post", "/blog/old-post/", "/pricing", "/pricing/",
    ]  # fmt: skip
    assert filtered[0]["body"]["dateRanges"][0]["startDate"] == (TODAY - timedelta(days=20)).isoformat()

    other_range = await dashboard.get_dashboard(alpha, TODAY - timedelta(days=29), TODAY)
    assert other_range.ga4.content_ranking == ranking, "since publication, whatever the range"
    assert len([c for c in google.report_calls[before:] if "dimensionFilter" in c["body"]]) == 1, "cached"

    bravo_ranking = (await dashboard.get_dashboard(bravo)).ga4.content_ranking
    assert [r.title for r in bravo_ranking] == ["Bravo secret"] and "Bravo" not in str(ranking)
    sibling = await sibling_space(db, alpha, "Sibling")
    assert (await dashboard.get_dashboard(sibling)).ga4.content_ranking == []


async def test_the_ranking_is_read_back_not_rebuilt_from_the_report_on_each_load(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every dashboard load ranks the items: it reads the ranking kept beside the report, not the report's
    (up to 10,000) rows; a change to the linked items is a new ranking; a disconnected space gets none."""
    alpha, _ = spaces
    await published_item(alpha, "Pricing", publish="https://alpha.example/pricing", days_ago=7)
    google.consent_as = ALICE
    await connect_ga4(alpha, "111")
    reads: list[ReportRequest] = []
    real = analytics.run_report

    async def counted(ctx: SpaceContext, request: ReportRequest) -> ReportPublic:
        reads.append(request)
        return await real(ctx, request)

    monkeypatch.setattr(analytics, "run_report", counted)
    first = await performance.ranked_items(alpha, TODAY)
    assert [(r.title, r.sessions) for r in first] == [("Pricing", 40 * 7)]
    assert await performance.ranked_items(alpha, TODAY) == first and len(reads) == 1

    guide = await published_item(alpha, "Guide", publish="https://alpha.example/blog/guide", days_ago=20)
    assert [r.title for r in await performance.ranked_items(alpha, TODAY)] == ["Guide", "Pricing"]
    await performance.set_published_url(alpha, guide, "https://alpha.example/blog/old-post")
    assert [r.title for r in await performance.ranked_items(alpha, TODAY)] == ["Pricing", "Guide"]
    assert len(reads) == 3

    await analytics.disconnect(alpha)
    assert await _code(performance.ranked_items(alpha, TODAY)) == "ga4_not_connected"
