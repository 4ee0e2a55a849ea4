"""`GET /api/v1/dashboard` as clients (and hostile clients) call it: the space's aggregates for a range, never
another space's (another organization's or a sibling space of the same organization), and bad ranges refused
with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.api.world import World
from tests.support.dashboard_data import SeedRun, add_document, add_runs
from tests.support.tenants import auth_headers

NOW = datetime.now(UTC)


async def test_the_dashboard_shows_my_space_and_nothing_of_others(client: httpx.AsyncClient, world: World) -> None:
    w = world
    ada_ctx, eve_ctx = await w.ada.context(), await w.eve.context()
    await add_runs(ada_ctx, [SeedRun("seo", "completed", "completed", NOW - timedelta(hours=1), (1200, 300))])
    await add_document(ada_ctx, "Alpha guide", "ready", quarantined=1)
    await add_runs(eve_ctx, [SeedRun("brand", "failed", "error", NOW - timedelta(hours=1), (424242, 0))])
    sibling = await client.post("/api/v1/spaces", json={"name": "Alpha EMEA"}, headers=auth_headers(w.ada.token))
    assert sibling.status_code == 201, sibling.text
    sibling_id = sibling.json()["id"]

    mine = await client.get("/api/v1/dashboard", headers=w.ada.headers())
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["space_id"] == w.ada.space_id
    assert body["runs"]["total"] == 1 and body["runs"]["recent"][0]["agent"] == "seo"
    assert [(r["agent"], r["tokens_in"]) for r in body["usage"]["rows"]] == [("seo", 1200)]
    assert body["documents"]["quarantined_chunks"] == 1
    assert "424242" not in mine.text and w.b_secret not in mine.text and w.eve.space_id not in mine.text

    theirs = await client.get("/api/v1/dashboard", headers=auth_headers(w.ada.token, w.eve.space_id))
    assert theirs.status_code == 403 and "424242" not in theirs.text
    empty_sibling = (await client.get("/api/v1/dashboard", headers=auth_headers(w.ada.token, sibling_id))).json()
    assert empty_sibling["runs"]["total"] == 0 and empty_sibling["documents"]["total"] == 0
    eve = (await client.get("/api/v1/dashboard", headers=w.eve.headers())).json()
    assert eve["runs"]["by_stop_reason"] == [{"key": "error", "count": 1}] and eve["documents"]["total"] == 1


async def test_a_range_in_the_past_has_no_runs(client: httpx.AsyncClient, world: World) -> None:
    await add_runs(await world.ada.context(), [SeedRun("seo", "completed", "completed", NOW)])
    past = await client.get(
        "/api/v1/dashboard", params={"start_date": "2025-01-01", "end_date": "2025-01-31"}, headers=world.ada.headers()
    )
    assert past.status_code == 200
    assert (past.json()["start_date"], past.json()["end_date"], past.json()["runs"]["total"]) == (
        "2025-01-01", "2025-01-31", 0,
    )  # fmt: skip


async def test_bad_ranges_are_422_with_a_reason(client: httpx.AsyncClient, world: World) -> None:
    for params, words in (
        ({"start_date": "2026-03-02", "end_date": "2026-03-01"}, "on or before"),
        ({"start_date": "2020-01-01", "end_date": "2026-01-01"}, "at most 366 days"),
        ({"start_date": "not-a-date"}, "start_date"),
    ):
        response = await client.get("/api/v1/dashboard", params=params, headers=world.ada.headers())
        assert response.status_code == 422, response.text
        assert words in response.json()["error"]["message"]
    assert (await client.get("/api/v1/dashboard")).status_code == 401
    assert (await client.get("/api/v1/dashboard", headers=auth_headers(world.ada.token))).status_code == 400
