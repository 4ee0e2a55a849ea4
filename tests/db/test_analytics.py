"""GA4: the connect flow, tokens, reports and isolation, against a fake Google on 127.0.0.1 (real HTTP, real
PostgreSQL with row-level security). The fake checks what Google checks: client, redirect URI, PKCE, grants."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import text

from backend.agents.tools.env import space_tool_env
from backend.agents.tools.seo_keywords import keyword_research
from backend.agents.tools.strategy_analysis import content_gap
from backend.analytics import client, service
from backend.analytics.schemas import Ga4PropertyUpdate, ReportRequest
from backend.core import cache as cache_module
from backend.core.cache import MemoryBroker, MemoryCache
from backend.core.db import get_database
from backend.core.errors import AppError
from backend.tenancy.access import authenticate, resolve_space_context
from backend.tenancy.context import SpaceContext
from backend.tenancy.spaces import create_space
from tests.support.fake_google import ALICE, BOB, FakeGoogle, serve_fake_google, two_accounts
from tests.support.tenants import Tenant, new_tenant


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    with serve_fake_google(monkeypatch, two_accounts()) as fake:
        yield fake


async def _consent(authorize_url: str) -> tuple[str, str]:
    """What the browser does at Google: open the link, consent, follow the redirect back (code, state)."""
    async with httpx.AsyncClient() as http:
        response = await http.get(authorize_url)
    assert response.status_code == 302, response.text
    back = parse_qs(urlsplit(response.headers["location"]).query)
    return back["code"][0], back["state"][0]


async def _connect(ctx: SpaceContext, google: FakeGoogle, account: str, property_id: str | None) -> None:
    google.consent_as = account
    code, state = await _consent(await service.start_connect(ctx))
    outcome = await service.complete_connect(code=code, state=state)
    assert outcome.error is None, outcome
    if property_id:
        await service.set_property(ctx, Ga4PropertyUpdate(property_id=property_id))


async def _sibling(tenant: Tenant) -> SpaceContext:
    """A second space in the tenant's organization (same org: the boundary that matters most)."""
    principal = await authenticate(tenant.token)
    created = await create_space(principal, name="Second")
    return await resolve_space_context(principal, created["id"])


@pytest.fixture
async def alpha(db: object, memory_backends: None) -> Tenant:
    return await new_tenant("alpha", "alpha")


SESSIONS_BY_PAGE = ReportRequest(metrics=["sessions", "keyEvents"], dimensions=["landingPage"], order_by="sessions")


async def test_full_connect_flow_stores_encrypted_tokens_and_reads_reports(google: FakeGoogle, alpha: Tenant) -> None:
    ctx = await alpha.context()
    url = await service.start_connect(ctx)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["access_type"] == ["offline"]
    assert query["redirect_uri"] == ["http://localhost:3000/api/v1/integrations/ga4/callback"]

    code, state = await _consent(url)
    outcome = await service.complete_connect(code=code, state=state)
    assert outcome.error is None and outcome.redirect_to.endswith("/integrations?ga4=connected")
    status = await service.status(ctx)
    assert status.connected and not status.needs_reconnect and status.property_id is None
    assert "pick the GA4 property" in (status.message or "")

    async with get_database().tenant(ctx.scope) as session:
        stored = (await session.execute(text("SELECT * FROM ga4_connections"))).mappings().one()
    grant = next(iter(google.grants.values()))
    assert grant.refresh_token.encode() not in stored["refresh_token_encrypted"]
    assert grant.refresh_token.encode() not in bytes(stored["refresh_token_encrypted"])

    assert [(p.id, p.name) for p in await service.list_properties(ctx)] == [("111", "alpha.example")]
    await service.set_property(ctx, Ga4PropertyUpdate(property_id="properties/111"))
    report = await service.run_report(ctx, SESSIONS_BY_PAGE)
    assert [r.dimensions["landingPage"] for r in report.rows] == ["/blog/guide", "/pricing", "/blog/old-post"]
    assert report.rows[1].metrics == {"sessions": 40 * 28, "keyEvents": 6 * 28}  # 28daysAgo..yesterday
    assert report.quota["tokensPerHour"] == {"consumed": 12, "remaining": 39_988}
    assert google.report_calls[-1]["body"]["returnPropertyQuota"] is True

    again = await service.run_report(ctx, SESSIONS_BY_PAGE)
    assert again.cached and again.rows == report.rows and len(google.report_calls) == 1


async def test_a_state_is_single_use_bound_to_its_space_and_expires(google: FakeGoogle, alpha: Tenant) -> None:
    ctx = await alpha.context()
    code, state = await _consent(await service.start_connect(ctx))

    mismatch = await service.complete_connect(code=code, state=state[:-4] + "AAAA")
    assert mismatch.error == "invalid_state"
    other_space = state.replace(ctx.space_id.hex, uuid.uuid4().hex)
    assert (await service.complete_connect(code=code, state=other_space)).error == "invalid_state"
    assert (await service.complete_connect(code=code, state="")).error == "invalid_state"
    assert not (await service.status(ctx)).connected

    assert (await service.complete_connect(code=code, state=state)).error is None
    replay = await service.complete_connect(code=code, state=state)
    assert replay.error == "invalid_state" and "ga4_error=invalid_state" in replay.redirect_to

    code, state = await _consent(await service.start_connect(ctx))
    async with get_database().tenant(ctx.scope) as session:
        await session.execute(text("UPDATE ga4_oauth_states SET expires_at = now() - interval '1 second'"))
    expired = await service.complete_connect(code=code, state=state)
    assert expired.error == "expired_state" and "ga4_error=expired_state" in expired.redirect_to
    assert not any(c["code"] == code for c in google.token_calls)


async def test_the_token_endpoint_checks_the_pkce_verifier(google: FakeGoogle, alpha: Tenant) -> None:
    ctx = await alpha.context()
    code, state = await _consent(await service.start_connect(ctx))
    async with get_database().tenant(ctx.scope) as session:  # another link's verifier, as a thief would hold
        await service.start_connect(ctx)
        blobs = (await session.execute(text("SELECT code_verifier_encrypted FROM ga4_oauth_states"))).scalars().all()
        await session.execute(text("UPDATE ga4_oauth_states SET code_verifier_encrypted = :b"), {"b": blobs[-1]})
    outcome = await service.complete_connect(code=code, state=state)
    assert outcome.error == "exchange_failed"
    assert not (await service.status(ctx)).connected


async def test_a_connect_link_of_a_user_no_longer_admin_is_refused(google: FakeGoogle, alpha: Tenant) -> None:
    ctx = await alpha.context()
    code, state = await _consent(await service.start_connect(ctx))
    async with get_database().tenant(ctx.scope) as session:
        await session.execute(text("UPDATE space_memberships SET role = 'viewer'"))
    assert (await service.complete_connect(code=code, state=state)).error == "forbidden"
    assert not (await service.status(ctx)).connected
    with pytest.raises(AppError) as refused:
        await service.start_connect(alpha.stand_in("editor"))
    assert refused.value.code == "admin_required"


async def test_access_tokens_refresh_five_minutes_before_expiry(google: FakeGoogle, alpha: Tenant) -> None:
    ctx = await alpha.context()
    await _connect(ctx, google, ALICE, "111")
    refreshes = lambda: sum(c["grant_type"] == "refresh_token" for c in google.token_calls)  # noqa: E731

    async def expire_in(minutes: int) -> None:
        async with get_database().tenant(ctx.scope) as session:
            await session.execute(
                text("UPDATE ga4_connections SET access_expires_at = :t"),
                {"t": datetime.now(UTC) + timedelta(minutes=minutes)},
            )

    await expire_in(10)
    await service.run_report(ctx, ReportRequest(metrics=["sessions"]))
    assert refreshes() == 0
    await expire_in(4)
    await service.run_report(ctx, ReportRequest(metrics=["keyEvents"]))
    assert refreshes() == 1
    latest = google.report_calls[-1]
    assert latest["account"] == ALICE
    await service.run_report(ctx, ReportRequest(metrics=["engagementRate"]))
    assert refreshes() == 1  # the refreshed token lasts an hour


async def test_a_revoked_grant_asks_for_a_reconnect(google: FakeGoogle, alpha: Tenant) -> None:
    ctx = await alpha.context()
    await _connect(ctx, google, ALICE, "111")
    google.revoke_everything_of(ALICE)
    with pytest.raises(AppError) as gone:
        await service.run_report(ctx, ReportRequest(metrics=["sessions"]))
    assert gone.value.code == "ga4_needs_reconnect" and gone.value.status_code == 409
    assert "reconnect GA4" in gone.value.message
    status = await service.status(ctx)
    assert status.connected and status.needs_reconnect and "reconnect" in (status.message or "")
    calls = len(google.token_calls)
    with pytest.raises(AppError):
        await service.run_report(ctx, ReportRequest(metrics=["sessions"]))
    assert len(google.token_calls) == calls  # no more hammering Google with a dead grant

    await _connect(ctx, google, ALICE, None)
    status = await service.status(ctx)
    assert not status.needs_reconnect and status.property_id == "111"  # the property survives a reconnect
    assert (await service.run_report(ctx, ReportRequest(metrics=["sessions"]))).rows


async def test_quota_exhaustion_is_a_clear_message(google: FakeGoogle, alpha: Tenant) -> None:
    ctx = await alpha.context()
    await _connect(ctx, google, ALICE, "111")
    google.property_quota_exhausted.add("111")
    with pytest.raises(AppError) as exhausted:
        await service.run_report(ctx, ReportRequest(metrics=["sessions"]))
    assert exhausted.value.status_code == 429 and exhausted.value.code == "ga4_quota_exhausted"
    assert "quota" in exhausted.value.message and "within the hour" in exhausted.value.message


async def test_a_used_up_daily_quota_waits_for_googles_next_day(google: FakeGoogle, alpha: Tenant) -> None:
    ctx = await alpha.context()
    await _connect(ctx, google, ALICE, "111")
    google.property_quota_exhausted.add("111")
    google.quota_exhausted_per = "day"
    with pytest.raises(AppError) as first:
        await service.run_report(ctx, ReportRequest(metrics=["sessions"]))
    calls = len(google.report_calls)
    with pytest.raises(AppError) as again:
        await service.run_report(ctx, ReportRequest(metrics=["keyEvents"]))
    for refusal in (first.value, again.value):
        assert refusal.code == "ga4_quota_exhausted" and "midnight Pacific time" in refusal.message
        assert "within the hour" not in refusal.message
    assert len(google.report_calls) == calls, "no call reaches Google again before its quota day turns"
    assert getattr(again.value, "retry_after", 0) >= client.seconds_to_quota_day() - 120, "waits for the new day"


async def test_a_daily_refusal_in_the_days_last_hour_still_waits_for_the_new_day(
    google: FakeGoogle, alpha: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 23:30 Pacific: Google's daily quota comes back in 30 minutes, less than an hour. The pause must still be
    # the daily one (until midnight, said as such), not the hourly one read off how long is left.
    monkeypatch.setattr(client, "seconds_to_quota_day", lambda now=None: 1800)
    ctx = await alpha.context()
    await _connect(ctx, google, ALICE, "111")
    google.property_quota_exhausted.add("111")
    google.quota_exhausted_per = "day"
    with pytest.raises(AppError) as first:
        await service.run_report(ctx, ReportRequest(metrics=["sessions"]))
    calls = len(google.report_calls)
    with pytest.raises(AppError) as again:
        await service.run_report(ctx, ReportRequest(metrics=["keyEvents"]))
    assert len(google.report_calls) == calls, "the daily pause holds the property"
    for refusal in (first.value, again.value):
        assert "midnight Pacific time (in about 30 minutes)" in refusal.message, refusal.message
        assert "within the hour" not in refusal.message
    assert 1700 <= getattr(again.value, "retry_after", 0) <= 1800


async def test_an_exhausted_property_pauses_every_space_reading_it(google: FakeGoogle, alpha: Tenant) -> None:
    a, b = await alpha.context(), await _sibling(alpha)
    await _connect(a, google, ALICE, "111")
    await _connect(b, google, ALICE, "111")  # two spaces of one team reading the same site
    google.property_quota_exhausted.add("111")
    with pytest.raises(AppError) as first:
        await service.run_report(a, ReportRequest(metrics=["sessions"]))
    calls = len(google.report_calls)
    with pytest.raises(AppError) as second:
        await service.run_report(b, ReportRequest(metrics=["keyEvents"]))
    assert first.value.code == second.value.code == "ga4_quota_exhausted" and second.value.status_code == 429
    assert len(google.report_calls) == calls, "RESOURCE_EXHAUSTED blocks the property, whichever space asks"


async def test_bad_reports_and_properties_are_refused_clearly(google: FakeGoogle, alpha: Tenant) -> None:
    ctx = await alpha.context()
    with pytest.raises(AppError) as missing:
        await service.run_report(ctx, ReportRequest(metrics=["sessions"]))
    assert missing.value.code == "ga4_not_connected"
    await _connect(ctx, google, ALICE, None)
    with pytest.raises(AppError) as unpicked:
        await service.run_report(ctx, ReportRequest(metrics=["sessions"]))
    assert unpicked.value.code == "ga4_no_property"
    with pytest.raises(AppError) as foreign:
        await service.set_property(ctx, Ga4PropertyUpdate(property_id="222"))
    assert foreign.value.code == "ga4_property_not_found"
    assert (await service.status(ctx)).property_id is None
    with pytest.raises(ValueError):
        ReportRequest(metrics=["sessions"], start_date="2026-02-30")
    with pytest.raises(ValueError):
        ReportRequest(metrics=["sessions; drop"], dimensions=[])


async def test_disconnect_deletes_the_tokens_and_revokes_them_at_google(google: FakeGoogle, alpha: Tenant) -> None:
    ctx = await alpha.context()
    await _connect(ctx, google, ALICE, "111")
    await service.run_report(ctx, ReportRequest(metrics=["sessions"]))
    grant = next(iter(google.grants.values()))
    assert await service.disconnect(ctx) is True
    assert grant.revoked and google.revoked_tokens == [grant.refresh_token]
    assert not (await service.status(ctx)).connected
    with pytest.raises(AppError) as gone:  # the cached report is not served either
        await service.run_report(ctx, ReportRequest(metrics=["sessions"]))
    assert gone.value.code == "ga4_not_connected"
    async with get_database().tenant(ctx.scope) as session:
        assert (await session.execute(text("SELECT count(*) FROM ga4_connections"))).scalar_one() == 0


async def test_another_spaces_tokens_and_reports_are_never_used(google: FakeGoogle, alpha: Tenant) -> None:
    a = await alpha.context()
    b = await _sibling(alpha)
    await _connect(a, google, ALICE, "111")
    await service.run_report(a, SESSIONS_BY_PAGE)
    with pytest.raises(AppError) as none:
        await service.run_report(b, SESSIONS_BY_PAGE)
    assert none.value.code == "ga4_not_connected"
    assert not (await service.status(b)).connected and await service.tool_analytics(b) is None

    await _connect(b, google, BOB, "222")
    report = await service.run_report(b, SESSIONS_BY_PAGE)
    assert not report.cached and [r.dimensions["landingPage"] for r in report.rows] == ["/bravo-secret"]
    assert [c["account"] for c in google.report_calls] == [ALICE, BOB]
    with pytest.raises(AppError):  # b's grant cannot pick a's property
        await service.set_property(b, Ga4PropertyUpdate(property_id="111"))

    await service.disconnect(b)
    assert (await service.status(a)).connected  # a's grant is untouched
    assert not next(g for g in google.grants.values() if g.account == ALICE).revoked

    async with get_database().tenant(b.scope) as session:  # row-level security: b sees none of a's rows
        assert (await session.execute(text("SELECT count(*) FROM ga4_connections"))).scalar_one() == 0


async def test_the_agents_read_landing_pages_and_site_searches(google: FakeGoogle, alpha: Tenant) -> None:
    ctx = await alpha.context()
    assert await service.tool_analytics(ctx) is None
    await _connect(ctx, google, ALICE, "111")
    analytics = await service.tool_analytics(ctx)
    assert analytics is not None
    best = await analytics("landing_pages", order="best", limit=2)
    assert [p["page"] for p in best] == ["/pricing", "/blog/guide"] and best[0]["key_events"] == 180
    worst = await analytics("landing_pages", order="worst", limit=1)
    assert worst[0]["page"] == "/blog/old-post" and worst[0]["engagement_rate"] == pytest.approx(0.12)
    queries = await analytics("search_queries", query="brand voice", limit=10)
    assert queries[0] == {"query": "brand voice guide", "sessions": 55 * 30, "landing_pages": ["/blog/guide"]}
    assert all(q["query"] != "(not set)" for q in queries)


async def test_the_seo_and_strategy_tools_use_ga4_when_connected_and_say_so_when_not(
    google: FakeGoogle, alpha: Tenant
) -> None:
    ctx = await alpha.context()
    env = await space_tool_env(ctx)
    assert env.analytics is None
    gap = (await content_gap(env, {"topics": ["pricing"]})).result or {}
    assert gap["best_pages"] == [] and "GA4 not connected" in gap["notes"][0]
    keywords = (await keyword_research(env, {"topic": "brand voice guide"})).result or {}
    assert "GA4 not connected" in keywords["notes"][0]

    await _connect(ctx, google, ALICE, "111")
    env = await space_tool_env(ctx)
    gap = (await content_gap(env, {"topics": ["pricing"]})).result or {}
    assert [p["page"] for p in gap["best_pages"]] == ["/pricing", "/blog/guide", "/blog/old-post"]
    assert gap["worst_pages"][0]["page"] == "/blog/old-post"
    assert "GA4: /pricing had 1200 sessions and 180 key events." in gap["topics"][0]["suggestion"]
    keywords = (await keyword_research(env, {"topic": "brand voice guide"})).result or {}
    from_ga4 = next(k for k in keywords["keywords"] if "ga4" in k["sources"])
    assert (from_ga4["keyword"], from_ga4["sessions"], from_ga4["landing_pages"]) == (
        "brand voice guide",
        55 * 30,
        ["/blog/guide"],
    )

    google.revoke_everything_of(ALICE)
    cache_module.set_cache_and_broker(MemoryCache(), MemoryBroker())  # the cached reports have expired
    keywords = (await keyword_research(env, {"topic": "pricing plans"})).result or {}
    assert any("GA4 could not be read" in n and "reconnect GA4" in n for n in keywords["notes"])


async def test_connecting_over_a_working_grant_revokes_the_old_one(google: FakeGoogle, alpha: Tenant) -> None:
    ctx = await alpha.context()
    await _connect(ctx, google, ALICE, "111")
    first = next(iter(google.grants.values()))
    await _connect(ctx, google, BOB, "222")
    assert first.revoked and google.revoked_tokens == [first.refresh_token]
    assert (await service.status(ctx)).property_id == "222"
    report = await service.run_report(ctx, SESSIONS_BY_PAGE)
    assert [r.dimensions["landingPage"] for r in report.rows] == ["/bravo-secret"]
    assert google.report_calls[-1]["account"] == BOB
