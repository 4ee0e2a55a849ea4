"""The Dashboard page's handlers, called as a browser would (including a hostile one naming another space or
sending a bad range)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from backend.core.config import get_settings
from obelisk_app.pages.dashboard_state import DashboardState
from tests.api.world import World
from tests.support.dashboard_data import SeedRun, add_content, add_document, add_runs, connect_ga4
from tests.support.fake_google import FakeGoogle, build_app, sample_facts, totals, use_fake_google
from tests.support.servers import serve_in_thread
from tests.support.ui import Tab

NOW = datetime.now(UTC)


def _page(token: str, space_id: str) -> DashboardState:
    return Tab(token, space_id).state(DashboardState)


async def test_the_dashboard_loads_and_follows_the_range(client: httpx.AsyncClient, world: World) -> None:
    w = world
    ada = await w.ada.context()
    await add_runs(ada, [
        SeedRun("seo", "completed", "completed", NOW - timedelta(hours=2), (4000, 1000)),
        SeedRun("brand", "failed", "error", NOW - timedelta(days=20), (500, 0), model="mystery"),
    ])  # fmt: skip
    await add_document(ada, "Guide", "ready", quarantined=2)
    score = await add_content(ada, "Launch post", "Our platform helps teams plan campaigns in their own voice.")
    page = _page(w.ada.token, w.ada.space_id)

    await DashboardState.load.fn(page)
    assert page.error == "" and page.loaded and page.preset == "30"
    assert page.runs_total == 2 and {p["key"]: p["count"] for p in page.runs_by_status} == {"completed": 1, "failed": 1}
    assert [r["agent"] for r in page.recent_runs] == ["seo", "brand"]
    assert [u["agent"] for u in page.usage_by_agent][:2] == ["seo", "brand"] and page.usage_by_agent[0][
        "tokens_in"
    ] == 4000
    assert page.unpriced == "mystery" and page.total_tokens.startswith("5,5"), "runs 5,500 + scoring embeddings"
    assert page.quarantined_chunks == 2 and page.documents_total == 1
    assert page.pipeline_total == 1 and {p["key"]: p["count"] for p in page.pipeline}["Draft"] == 1
    assert [p["average"] for p in page.voice_trend] == [score] and page.voice_trend[0]["versions"] == 1

    await DashboardState.choose_preset.fn(page, "7")
    assert page.preset == "7" and page.runs_total == 1 and "brand" not in [u["agent"] for u in page.usage_by_agent]
    assert page.start_date == (NOW.date() - timedelta(days=6)).isoformat()
    await add_runs(ada, [SeedRun("email", "completed", "completed", NOW - timedelta(minutes=1))])
    await DashboardState.choose_preset.fn(page, "7")
    assert page.runs_total == 1, "the figures are cached for a few seconds"
    await DashboardState.refresh.fn(page)
    assert page.runs_total == 2 and page.preset == "7" and page.recent_runs[0]["agent"] == "email"

    await DashboardState.choose_dates.fn(page, {"start_date": "2025-01-01", "end_date": "2025-01-31"})
    assert (page.start_date, page.end_date, page.preset, page.runs_total) == ("2025-01-01", "2025-01-31", "", 0)
    assert page.usage_by_agent == [] and page.voice_trend == [] and page.pipeline_total == 1
    assert page.documents_total == 1, "the library and the pipeline are shown whatever the range"

    await DashboardState.choose_dates.fn(page, {"start_date": "2025-02-01", "end_date": "2025-01-01"})
    assert "on or before" in page.error and page.start_date == "2025-01-01", "a bad range changes nothing"
    await DashboardState.choose_dates.fn(page, ["2025-01-01"])  # type: ignore[arg-type]
    assert "Pick a start and an end date" in page.error and page.start_date == "2025-01-01"
    await DashboardState.choose_preset.fn(page, "3650")
    assert "7, 30 or 90" in page.error and page.preset == ""


async def test_dashboard_handlers_refuse_another_space(client: httpx.AsyncClient, world: World) -> None:
    w = world
    await add_runs(await w.eve.context(), [SeedRun("seo", "failed", "error", NOW, (31337, 0))])
    page = _page(w.ada.token, w.eve.space_id)  # A's token, B's space id from the "browser"
    for call in (
        DashboardState.load.fn(page),
        DashboardState.choose_preset.fn(page, "7"),
        DashboardState.choose_dates.fn(page, {"start_date": "2025-01-01", "end_date": "2025-01-31"}),
        DashboardState.refresh.fn(page),
    ):
        await call
        assert page.error and not page.loaded and page.runs_total == 0 and page.recent_runs == []
    mine = _page(w.ada.token, w.ada.space_id)
    await DashboardState.load.fn(mine)
    assert mine.runs_total == 0 and "31337" not in str(mine.usage_by_agent) and mine.documents_total == 0


async def test_the_ga4_panel_follows_the_range(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeGoogle(
        accounts={"alice@example.com": [{"name": "Alpha", "properties": [{"id": "111", "name": "alpha.example"}]}]},
        facts={"111": sample_facts()},
    )
    page = _page(world.ada.token, world.ada.space_id)
    with serve_in_thread(build_app(fake)) as url:
        use_fake_google(monkeypatch, url)
        try:
            await DashboardState.load.fn(page)
            assert page.ga4_state == "not_connected" and "Connect Google Analytics 4" in page.ga4_message
            await connect_ga4(await world.ada.context(), "111")
            await DashboardState.choose_preset.fn(page, "7")
            assert page.ga4_state == "ok" and page.ga4_property == "alpha.example" and len(page.traffic) == 7
            week_totals = totals(fake.facts["111"], page.start_date, page.end_date)
            assert week_totals["sessions"] > 0
            assert (page.ga4_sessions, page.ga4_conversions) == (
                f"{week_totals['sessions']:,.0f}",
                f"{week_totals['keyEvents']:,.0f}",
            )
            assert [p["page"] for p in page.landing_pages] == ["/blog/guide", "/pricing", "/blog/old-post"]
            week = page.landing_pages[0]["sessions"]
            await DashboardState.choose_preset.fn(page, "30")
            assert len(page.traffic) == 30 and page.landing_pages[0]["sessions"] > week
            month_totals = totals(fake.facts["111"], page.start_date, page.end_date)
            assert month_totals["sessions"] > week_totals["sessions"]
            assert (page.ga4_sessions, page.ga4_conversions) == (
                f"{month_totals['sessions']:,.0f}",
                f"{month_totals['keyEvents']:,.0f}",
            )
            assert page.ranked_items == []
            made = await client.post(
                "/api/v1/content",
                json={"title": "Guide", "type": "blog_post", "body": "Live."},
                headers=world.ada.headers(),
            )
            for step in (
                {"action": "submit"},
                {"action": "approve"},
                {"action": "publish", "url": "https://a.example/blog/guide"},
            ):
                moved = await client.post(
                    f"/api/v1/content/{made.json()['id']}/transitions", json=step, headers=world.ada.headers()
                )
                assert moved.status_code == 200, moved.text
            await DashboardState.refresh.fn(page)
            assert [(r["title"], r["days"], r["sessions"]) for r in page.ranked_items] == [("Guide", "1", "0")]
        finally:
            get_settings.cache_clear()
