"""The Dashboard page's handlers, called as a browser would (including a hostile one naming another space or
sending a bad range)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from obelisk_app.pages.dashboard_state import DashboardState
from tests.api.world import World
from tests.support.dashboard_data import SeedRun, add_document, add_runs
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
    page = _page(w.ada.token, w.ada.space_id)

    await DashboardState.load.fn(page)
    assert page.error == "" and page.loaded and page.preset == "30"
    assert page.runs_total == 2 and {p["key"]: p["count"] for p in page.runs_by_status} == {"completed": 1, "failed": 1}
    assert [r["agent"] for r in page.recent_runs] == ["seo", "brand"]
    assert [u["agent"] for u in page.usage_by_agent] == ["seo", "brand"] and page.usage_by_agent[0]["tokens_in"] == 4000
    assert page.unpriced == "mystery" and page.total_tokens == "5,500"
    assert page.quarantined_chunks == 2 and page.documents_total == 1

    await DashboardState.choose_preset.fn(page, "7")
    assert page.preset == "7" and page.runs_total == 1 and [u["agent"] for u in page.usage_by_agent] == ["seo"]
    assert page.start_date == (NOW.date() - timedelta(days=6)).isoformat()

    await DashboardState.choose_dates.fn(page, {"start_date": "2025-01-01", "end_date": "2025-01-31"})
    assert (page.start_date, page.end_date, page.preset, page.runs_total) == ("2025-01-01", "2025-01-31", "", 0)
    assert page.usage_by_agent == [] and page.documents_total == 1, "the library is shown whatever the range"

    await DashboardState.choose_dates.fn(page, {"start_date": "2025-02-01", "end_date": "2025-01-01"})
    assert "on or before" in page.error and page.start_date == "2025-01-01", "a bad range changes nothing"
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
    ):
        await call
        assert page.error and not page.loaded and page.runs_total == 0 and page.recent_runs == []
    mine = _page(w.ada.token, w.ada.space_id)
    await DashboardState.load.fn(mine)
    assert mine.runs_total == 0 and "31337" not in str(mine.usage_by_agent) and mine.documents_total == 0
