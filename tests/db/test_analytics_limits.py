"""GA4's per-property limits, against the fake Google on 127.0.0.1: at most 10 reports of a property run at
once (in a process, and across processes through Redis), identical reports asked for at the same time make
one call, and callers needing a new access token at the same time make one refresh (in a process, and across
processes through the connection's row lock). The fake holds every report (or token call) until the test
opens its gate and counts what it received.

These tests run requests concurrently, so they use `committed_db` (a pool of real connections): the rolled
back single-connection database of the other tests serves one query at a time."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from backend.analytics import limits, service
from backend.analytics.client import Ga4Error
from backend.analytics.schemas import ReportRequest
from backend.core import cache as cache_module
from backend.core.config import get_settings
from backend.core.db import Database, get_database
from backend.tenancy.context import SpaceContext
from tests.support.dashboard_data import connect_ga4
from tests.support.fake_google import ALICE, FakeGoogle, serve_fake_google, two_accounts
from tests.support.tenants import Tenant, new_tenant


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    with serve_fake_google(monkeypatch, two_accounts()) as fake:
        yield fake


@pytest.fixture
async def alpha(committed_db: Database, memory_backends: None, google: FakeGoogle) -> Tenant:
    tenant = await new_tenant("alpha", "alpha")
    google.consent_as = ALICE
    await connect_ga4(await tenant.context(), "111")
    return tenant


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait (on the loop, up to 10 s) until `condition()` holds."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def held_then_released(
    google: FakeGoogle,
    calls: list[Awaitable[object]],
    *,
    in_flight: int,
    gate: threading.Event | None = None,
    counted: Callable[[], int] | None = None,
) -> list[object]:
    """Start `calls` with the fake holding reports (or what `gate` holds, counted by `counted`); once
    `in_flight` reached it, give any extra request a chance to arrive (a broken limit would send it now), then
    let everything through."""
    gate = gate or google.gate
    counted = counted or (lambda: google.in_flight)
    gate.clear()
    tasks = [asyncio.ensure_future(c) for c in calls]
    try:
        await until(lambda: counted() >= in_flight, f"{in_flight} calls at Google")
        for _ in range(20):
            await asyncio.sleep(0.01)
    finally:
        gate.set()
    return list(await asyncio.gather(*tasks, return_exceptions=True))


def refreshes(google: FakeGoogle) -> int:
    return sum(c["grant_type"] == "refresh_token" for c in google.token_calls)


async def expire_in(ctx: SpaceContext, minutes: int) -> None:
    async with get_database().tenant(ctx.scope) as session:
        await session.execute(
            text("UPDATE ga4_connections SET access_expires_at = :t"),
            {"t": datetime.now(UTC) + timedelta(minutes=minutes)},
        )


async def test_a_property_runs_at_most_ten_reports_at_once(google: FakeGoogle, alpha: Tenant) -> None:
    ctx = await alpha.context()
    requests = [ReportRequest(metrics=["sessions"], dimensions=["landingPage"], limit=n) for n in range(1, 26)]
    reports = await held_then_released(google, [service.run_report(ctx, r) for r in requests], in_flight=10)
    assert google.max_in_flight == 10, "Google allows 10 concurrent requests per property"
    assert len(google.report_calls) == 25 and all(r.rows for r in reports)  # type: ignore[attr-defined]


async def test_identical_reports_asked_at_once_make_one_call(google: FakeGoogle, alpha: Tenant) -> None:
    team = [await alpha.context(), *(alpha.stand_in(role) for role in ("viewer", "editor", "admin", "viewer"))]
    request = ReportRequest(metrics=["sessions", "keyEvents"], dimensions=["landingPage"], order_by="sessions")
    reports = await held_then_released(google, [service.run_report(c, request) for c in team], in_flight=1)
    assert len(google.report_calls) == 1, "a dashboard refreshed by five people is one call to Google"
    assert len({r.model_dump_json(exclude={"cached"}) for r in reports}) == 1  # type: ignore[attr-defined]

    google.gate.clear()
    quota = asyncio.gather(*(service.run_report(c, request.model_copy(update={"limit": 7})) for c in team[:3]),
                           return_exceptions=True)  # fmt: skip
    google.property_quota_exhausted.add("111")
    google.gate.set()
    failures = await quota
    assert [getattr(f, "code", None) for f in failures] == ["ga4_quota_exhausted"] * 3
    assert len(google.report_calls) == 2, "one refusal for the three of them"


async def test_the_limit_holds_across_processes_through_redis(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each task below takes a slot of the shared counter only (no semaphore): like one process each."""
    cache_module.set_cache_and_broker(cache_module.RedisCache(redis_url, "ga4limits"), cache_module.MemoryBroker())
    try:
        inside, most, release = 0, 0, asyncio.Event()

        async def one_process() -> None:
            nonlocal inside, most
            async with limits.shared_slot("111", limit=3, wait=10):
                inside += 1
                most = max(most, inside)
                await release.wait()
                inside -= 1

        tasks = [asyncio.ensure_future(one_process()) for _ in range(8)]
        await until(lambda: inside == 3, "three slots taken")
        for _ in range(20):
            await asyncio.sleep(0.01)
        release.set()
        await asyncio.gather(*tasks)
        assert most == 3 and inside == 0
        assert await cache_module.get_cache().get("ga4:in_flight:111") == "0", "every slot given back"

        monkeypatch.setattr(get_settings(), "ga4_timeout_seconds", 0.3)
        async with limits.shared_slot("111", limit=1, wait=10):
            with pytest.raises(Ga4Error) as busy:
                async with limits.shared_slot("111", limit=1, wait=0.2):
                    pass
        assert busy.value.code == "ga4_busy"
    finally:
        await cache_module.get_cache().close()
        cache_module.set_cache_and_broker(None, None)


async def test_identical_reports_across_processes_make_one_call_through_redis(redis_url: str) -> None:
    """Two processes (the cross-process half of single flight, called twice) asking for one report."""
    cache = cache_module.RedisCache(redis_url, "ga4flight")
    cache_module.set_cache_and_broker(cache, cache_module.MemoryBroker())
    try:
        calls, release = 0, asyncio.Event()

        async def fetch() -> str:
            nonlocal calls
            calls += 1
            await release.wait()
            await cache.set("report", "rows", 60)
            return "rows"

        async def cached() -> str | None:
            return await cache.get("report")

        first = asyncio.ensure_future(limits.across_processes("report", fetch, cached))
        await until(lambda: calls == 1, "the first process calls Google")
        second = asyncio.ensure_future(limits.across_processes("report", fetch, cached))
        for _ in range(20):
            await asyncio.sleep(0.01)
        release.set()
        assert await asyncio.gather(first, second) == ["rows", "rows"] and calls == 1
    finally:
        await cache.close()
        cache_module.set_cache_and_broker(None, None)


async def test_callers_needing_a_new_token_at_once_make_one_refresh(google: FakeGoogle, alpha: Tenant) -> None:
    """Google rotates refresh tokens here: a second refresh with the replaced one would lose the grant."""
    ctx = await alpha.context()
    google.rotate_refresh_tokens = True
    await expire_in(ctx, 4)  # under the five minutes: every caller below wants a new access token
    calls: list[Awaitable[object]] = [
        service.run_report(ctx, ReportRequest(metrics=["sessions"], limit=n)) for n in (1, 2, 3)
    ]
    calls.append(service.list_properties(ctx))
    results = await held_then_released(
        google, calls, in_flight=1, gate=google.token_gate, counted=lambda: google.token_in_flight
    )
    assert refreshes(google) == 1, "four callers needing a new token at once: one refresh"
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert not (await service.status(ctx)).needs_reconnect

    google.access.clear()  # Google ends the access token early: every report gets 401 with it
    await service.run_report(ctx, ReportRequest(metrics=["keyEvents"]))  # one refresh for a refused token...
    assert refreshes(google) == 2
    google.access.clear()
    results = await held_then_released(  # ...and one for all the callers it refused at the same time
        google,
        [service.run_report(ctx, ReportRequest(metrics=["keyEvents"], limit=n)) for n in (1, 2, 3)],
        in_flight=1,
        gate=google.token_gate,
        counted=lambda: google.token_in_flight,
    )
    assert refreshes(google) == 3 and not [r for r in results if isinstance(r, BaseException)], results
    assert not (await service.status(ctx)).needs_reconnect


async def test_refreshes_across_processes_take_turns_on_the_connection(google: FakeGoogle, alpha: Tenant) -> None:
    """`refresh_access_token` called twice at once without the in-process join, as two processes would."""
    ctx = await alpha.context()
    google.rotate_refresh_tokens = True
    await expire_in(ctx, 4)
    tokens = await held_then_released(
        google,
        [service.refresh_access_token(ctx.scope), service.refresh_access_token(ctx.scope)],
        in_flight=1,
        gate=google.token_gate,
        counted=lambda: google.token_in_flight,
    )
    assert refreshes(google) == 1 and tokens[0] == tokens[1] and isinstance(tokens[0], str), tokens
    assert not (await service.status(ctx)).needs_reconnect

    google.access.clear()  # Google refused that token: two processes refresh it at once, one refresh is made
    rejected = str(tokens[0])
    again = await held_then_released(
        google,
        [service.refresh_access_token(ctx.scope, rejected=rejected) for _ in range(2)],
        in_flight=1,
        gate=google.token_gate,
        counted=lambda: google.token_in_flight,
    )
    assert refreshes(google) == 2 and again[0] == again[1] != rejected, again
    assert (await service.run_report(ctx, ReportRequest(metrics=["sessions"]))).rows
