"""The dashboard's aggregates in PostgreSQL, as the application role under row-level security: what each
panel shows for a space and a date range, nothing of another space (same organization included), the cache
keyed by space and range, and bad ranges refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from backend.core.config import get_settings
from backend.core.db import Database
from backend.core.errors import ValidationFailed
from backend.dashboard import service
from backend.dashboard.pricing import estimate_cost
from backend.tenancy.context import SpaceContext
from tests.db.test_runs_support import sibling_space
from tests.support.dashboard_data import SeedRun, add_content, add_document, add_runs, connect_ga4
from tests.support.fake_google import FakeGoogle, build_app, sample_facts, use_fake_google
from tests.support.servers import serve_in_thread

TODAY = datetime.now(UTC).date()


def _at(days_ago: int, hour: int = 12) -> datetime:
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "dashboard_cache_seconds", 0)


async def _seed(ctx: SpaceContext) -> None:
    await add_runs(ctx, [
        SeedRun("seo", "completed", "completed", _at(1), (1000, 500)),
        SeedRun("seo", "completed", "max_iterations", _at(2), (2000, 0), model="gemini-2.5-pro"),
        SeedRun("brand", "failed", "error", _at(3), (300, 0), model="mystery-model", provider="openai_compatible"),
        SeedRun("email", "cancelled", "cancelled", _at(0), (100, 100), provider="local", model="qwen"),
        SeedRun("strategy", "completed", "completed", _at(40), (9999, 9999)),
    ])  # fmt: skip
    await add_document(ctx, "Brand guide", "ready", quarantined=2)
    await add_document(ctx, "Deck", "ready")
    await add_document(ctx, "Broken", "failed", quarantined=1)


async def test_the_panels_show_the_spaces_runs_usage_and_documents_of_the_range(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], no_cache: None
) -> None:
    alpha, bravo = spaces
    sibling = await sibling_space(db, alpha, "Sibling")
    await _seed(alpha)
    await add_runs(bravo, [SeedRun("seo", "failed", "error", _at(1), (777_777, 0))])
    await add_runs(sibling, [SeedRun("brand", "completed", "contaminated", _at(1), (555_555, 0))])
    await add_document(sibling, "Sibling secret", "failed", quarantined=9)

    data = await service.get_dashboard(alpha, TODAY - timedelta(days=6), TODAY)

    assert data.space_id == str(alpha.space_id) and (data.start_date, data.end_date) == (TODAY - timedelta(6), TODAY)
    runs = data.runs
    assert runs.total == 4, "the 40-day-old run is outside the range; other spaces' runs never count"
    assert {c.key: c.count for c in runs.by_status} == {"completed": 2, "failed": 1, "cancelled": 1}
    assert {c.key: c.count for c in runs.by_stop_reason} == {
        "completed": 1, "max_iterations": 1, "error": 1, "cancelled": 1,
    }  # fmt: skip
    assert [r.agent for r in runs.recent] == ["email", "seo", "seo", "brand"], "newest first"
    assert runs.recent[-1].error == "The model timed out."

    usage = {(r.agent, r.model): r for r in data.usage.rows}
    assert set(usage) == {("seo", "gemini-2.5-flash"), ("seo", "gemini-2.5-pro"), ("brand", "mystery-model"),
                          ("email", "qwen")}  # fmt: skip
    assert usage[("seo", "gemini-2.5-pro")].tokens_in == 2000
    assert usage[("seo", "gemini-2.5-flash")].estimated_cost_usd == pytest.approx((1000 * 0.30 + 500 * 2.50) / 1e6)
    assert usage[("email", "qwen")].estimated_cost_usd == 0.0, "local models cost nothing"
    assert usage[("brand", "mystery-model")].estimated_cost_usd is None
    assert data.usage.unpriced_models == ["mystery-model"]
    assert data.usage.total_tokens == 1500 + 2000 + 300 + 200
    assert "777777" not in data.model_dump_json() and "555555" not in data.model_dump_json()

    docs = data.documents
    assert docs.total == 3 and {c.key: c.count for c in docs.by_status} == {"ready": 2, "failed": 1}
    assert (docs.quarantined_chunks, docs.documents_with_quarantine) == (3, 2)

    wide = await service.get_dashboard(alpha, TODAY - timedelta(days=60), TODAY)
    assert wide.runs.total == 5 and {r.agent for r in wide.usage.rows} >= {"strategy"}


async def test_an_empty_space_has_empty_panels(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], no_cache: None
) -> None:
    alpha, bravo = spaces
    await _seed(bravo)
    data = await service.get_dashboard(alpha)
    assert (data.runs.total, data.runs.recent, data.usage.rows, data.documents.total) == (0, [], [], 0)
    assert (data.end_date - data.start_date).days == service.DEFAULT_DAYS - 1


async def test_the_cache_is_per_space_and_range(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "dashboard_cache_seconds", 300)
    alpha, bravo = spaces
    sibling = await sibling_space(db, alpha, "Sibling")
    await add_runs(alpha, [SeedRun("seo", "completed", "completed", _at(1))])
    start = TODAY - timedelta(days=6)
    first = await service.get_dashboard(alpha, start, TODAY)
    await add_runs(alpha, [SeedRun("seo", "completed", "completed", _at(1))])
    again = await service.get_dashboard(alpha, start, TODAY)
    assert again.runs.total == first.runs.total == 1 and again.generated_at == first.generated_at, "cached"
    assert (await service.get_dashboard(alpha, start - timedelta(days=1), TODAY)).runs.total == 2, "another range"
    for other in (bravo, sibling):
        assert (await service.get_dashboard(other, start, TODAY)).runs.total == 0, "another space's key"
    assert service.cache_key(alpha, start, TODAY) != service.cache_key(sibling, start, TODAY)


BODY = "Our platform helps marketing teams plan campaigns. It keeps every draft in the brand's own voice."


async def test_the_pipeline_and_the_voice_score_trend_come_from_the_spaces_content(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], no_cache: None
) -> None:
    alpha, bravo = spaces
    sibling = await sibling_space(db, alpha, "Sibling")
    scores = [
        await add_content(alpha, "Launch post", BODY),
        await add_content(alpha, "Pricing page", BODY + " Pricing is simple.", ("submit",)),
        await add_content(alpha, "Spring email", BODY + " Spring is here.", ("submit", "approve", "publish")),
    ]
    await add_content(sibling, "Sibling draft", BODY, ("submit",))
    await add_content(bravo, "Bravo draft", BODY)
    async with db.tenant(alpha.scope) as session:  # the first item's version was written three days ago
        await session.execute(
            text("UPDATE content_versions SET created_at = now() - interval '3 days' WHERE space_id = :s AND item_id ="
                 " (SELECT id FROM content_items WHERE title = 'Launch post' AND space_id = :s)"),
            {"s": alpha.space_id},
        )  # fmt: skip

    data = await service.get_dashboard(alpha, TODAY - timedelta(days=6), TODAY)
    assert data.pipeline.total == 3
    assert [(c.key, c.count) for c in data.pipeline.by_state] == [
        ("draft", 1), ("in_review", 1), ("approved", 0), ("changes_requested", 0), ("published", 1),
    ]  # fmt: skip
    assert all(s is not None for s in scores)
    trend = data.voice_scores
    assert [p.versions for p in trend] == [1, 2] and trend[0].date < trend[1].date == TODAY
    assert trend[0].average == scores[0]
    assert trend[1].average == pytest.approx((scores[1] + scores[2]) / 2, abs=0.05)
    today_only = await service.get_dashboard(alpha, TODAY, TODAY)
    assert [p.versions for p in today_only.voice_scores] == [2] and today_only.pipeline.total == 3


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-02-30", None, "start date must be a date"),
        ("yesterday", None, "start date must be a date"),
        (None, "2026-13-01", "end date must be a date"),
        ("2026-03-02", "2026-03-01", "on or before"),
        ("2024-01-01", "2026-01-01", "at most 366 days"),
    ],
)
async def test_bad_ranges_are_refused_with_a_reason(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], start: str | None, end: str | None, message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message) as refused:
        await service.get_dashboard(spaces[0], start, end)
    assert refused.value.code == "invalid_date_range"


def test_cost_estimates() -> None:
    prices = {"m": (1.0, 2.0)}
    assert estimate_cost("vertex", "m", 1_000_000, 500_000, prices) == pytest.approx(2.0)
    assert estimate_cost("fake", "m", 10, 10, prices) == 0.0
    assert estimate_cost("vertex", "unknown", 10, 10, prices) is None
    assert service.date_range(None, date(2026, 1, 31)) == (date(2026, 1, 2), date(2026, 1, 31))


ALICE, BOB = "alice@example.com", "bob@example.com"


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    fake = FakeGoogle(
        accounts={
            ALICE: [{"name": "Alpha Inc", "properties": [{"id": "111", "name": "alpha.example"}]}],
            BOB: [{"name": "Bravo Ltd", "properties": [{"id": "222", "name": "bravo.example"}]}],
        },
        facts={
            "111": sample_facts(),
            "222": [{"date": TODAY.strftime("%Y%m%d"), "landingPage": "/bravo-secret", "sessions": 9, "keyEvents": 9}],
        },
    )
    with serve_in_thread(build_app(fake)) as url:
        use_fake_google(monkeypatch, url)
        yield fake
    get_settings.cache_clear()  # the fake's settings must not outlive the test


async def test_the_ga4_panel_shows_the_spaces_own_traffic_for_the_range(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], google: FakeGoogle, no_cache: None
) -> None:
    alpha, bravo = spaces
    sibling = await sibling_space(db, alpha, "Sibling")
    google.consent_as = BOB
    await connect_ga4(bravo, "222")
    google.consent_as = ALICE
    await connect_ga4(alpha, "111")

    week = await service.get_dashboard(alpha, TODAY - timedelta(days=7), TODAY - timedelta(days=1))
    ga4 = week.ga4
    assert ga4.state == "ok" and ga4.property_name == "alpha.example"
    assert [p.date for p in ga4.series] == [TODAY - timedelta(days=d) for d in range(7, 0, -1)]
    assert {(p.sessions, p.conversions) for p in ga4.series} == {(125, 7)}, "40 + 55 + 30 sessions, 6 + 1 key events"
    assert [(p.page, p.sessions) for p in ga4.top_landing_pages] == [
        ("/blog/guide", 55 * 7), ("/pricing", 40 * 7), ("/blog/old-post", 30 * 7),
    ]  # fmt: skip
    month = await service.get_dashboard(alpha, TODAY - timedelta(days=9), TODAY)
    assert len(month.ga4.series) == 10 and month.ga4.series[-1].sessions == 0, "a day without data is a zero"
    assert month.ga4.top_landing_pages[0].sessions == 55 * 9
    assert "bravo-secret" not in week.model_dump_json() + month.model_dump_json()
    assert all(call["property"] == "111" for call in google.report_calls if call["account"] == ALICE)

    assert (await service.get_dashboard(sibling)).ga4.state == "not_connected", "the sibling space has no GA4"
    bravo_pages = (await service.get_dashboard(bravo)).ga4.top_landing_pages
    assert [p.page for p in bravo_pages] == ["/bravo-secret"]


async def test_ga4_trouble_is_a_panel_message_and_the_rest_still_loads(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], google: FakeGoogle, no_cache: None
) -> None:
    alpha, _ = spaces
    await add_runs(alpha, [SeedRun("seo", "completed", "completed", _at(1))])
    google.consent_as = ALICE
    await connect_ga4(alpha, "111")
    google.property_quota_exhausted.add("111")
    exhausted = await service.get_dashboard(alpha)
    assert exhausted.ga4.state == "error" and "quota" in (exhausted.ga4.message or "")
    assert exhausted.runs.total == 1 and exhausted.ga4.series == []


async def test_a_grant_google_dropped_asks_for_a_reconnect(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], google: FakeGoogle, no_cache: None
) -> None:
    alpha, _ = spaces
    await add_runs(alpha, [SeedRun("seo", "completed", "completed", _at(1))])
    google.consent_as = ALICE
    await connect_ga4(alpha, "111")
    google.revoke_everything_of(ALICE)
    revoked = await service.get_dashboard(alpha, TODAY - timedelta(days=3), TODAY)
    assert revoked.ga4.state == "error" and "reconnect" in (revoked.ga4.message or "")
    later = await service.get_dashboard(alpha, TODAY - timedelta(days=4), TODAY)
    assert later.ga4.state == "needs_reconnect" and "reconnect" in (later.ga4.message or "")
    assert later.runs.total == 1


async def test_without_a_google_client_the_panel_says_so(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], no_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "google_oauth_client_id", None)
    ga4 = (await service.get_dashboard(spaces[0])).ga4
    assert ga4.state == "not_configured" and "not configured" in (ga4.message or "")
