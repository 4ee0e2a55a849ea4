"""GA4's wire protocols without a database: PKCE, the authorization URL, token calls, runReport parsing and
Google's errors, against the fake Google on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest

from backend.analytics import client, oauth
from backend.analytics.client import Ga4Error, ReportQuery
from backend.core.config import get_settings
from tests.support.fake_google import ALICE, FakeGoogle, serve_fake_google, two_accounts


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    with serve_fake_google(monkeypatch, two_accounts()) as fake:
        yield fake


def test_s256_matches_the_rfc_7636_example() -> None:
    assert oauth.s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    pkce = oauth.new_pkce()
    assert 43 <= len(pkce.verifier) <= 128 and pkce.challenge == oauth.s256(pkce.verifier)
    assert oauth.new_pkce().verifier != pkce.verifier


def test_without_a_client_id_connecting_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_OAUTH_CLIENT_ID", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(oauth.OAuthError, match="GOOGLE_OAUTH_CLIENT_ID"):
            oauth.authorization_url(get_settings(), state="s", code_challenge="c")
    finally:
        get_settings.cache_clear()


async def _code(authorize_url: str) -> str:
    """Consent at the fake Google; the one-time code it sends back."""
    async with httpx.AsyncClient() as http:
        response = await http.get(authorize_url)
    return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]


async def test_code_exchange_needs_the_matching_verifier_and_works_once(google: FakeGoogle) -> None:
    settings = get_settings()
    pkce = oauth.new_pkce()
    url = oauth.authorization_url(settings, state="st", code_challenge=pkce.challenge)
    assert parse_qs(urlsplit(url).query)["scope"] == [oauth.GA4_SCOPE]
    code = await _code(url)
    with pytest.raises(oauth.OAuthError) as wrong:
        await oauth.exchange_code(settings, code=code, code_verifier=oauth.new_pkce().verifier)
    assert wrong.value.grant_gone  # Google answers invalid_grant for a bad verifier too

    code = await _code(url)
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    tokens = await oauth.exchange_code(settings, code=code, code_verifier=pkce.verifier, now=now)
    assert tokens.refresh_token and tokens.access_token.startswith("ya29.")
    assert tokens.expires_at == now + timedelta(seconds=3600)
    with pytest.raises(oauth.OAuthError):
        await oauth.exchange_code(settings, code=code, code_verifier=pkce.verifier)

    fresh = await oauth.refresh(settings, refresh_token=tokens.refresh_token)
    assert fresh.refresh_token is None and fresh.access_token != tokens.access_token
    assert await oauth.revoke(settings, token=tokens.refresh_token)
    assert await oauth.revoke(settings, token=tokens.refresh_token), "already revoked counts as done"
    with pytest.raises(oauth.OAuthError) as gone:
        await oauth.refresh(settings, refresh_token=tokens.refresh_token)
    assert gone.value.grant_gone and "reconnect" in str(gone.value)


async def test_run_report_parses_rows_and_quota_and_maps_errors(google: FakeGoogle) -> None:
    settings = get_settings()
    pkce = oauth.new_pkce()
    google.consent_as = ALICE
    code = await _code(oauth.authorization_url(settings, state="s", code_challenge=pkce.challenge))
    token = (await oauth.exchange_code(settings, code=code, code_verifier=pkce.verifier)).access_token
    query = ReportQuery(metrics=("sessions", "engagementRate"), dimensions=("landingPage",), order_by_metric="sessions")
    report = await client.run_report(settings, access_token=token, property_id="111", query=query)
    assert report.row_count == 3 and report.rows[0].dimensions == {"landingPage": "/blog/guide"}
    assert report.rows[0].metrics == {"sessions": 55 * 28, "engagementRate": pytest.approx(0.64)}
    assert report.quota["tokensPerDay"] == {"consumed": 12, "remaining": 199_988}
    assert [p.id for p in await client.list_properties(settings, access_token=token)] == ["111"]

    with pytest.raises(Ga4Error) as denied:
        await client.run_report(settings, access_token=token, property_id="222", query=query)
    assert denied.value.code == "ga4_permission_denied" and denied.value.status == 403
    with pytest.raises(Ga4Error) as bad_token:
        await client.run_report(settings, access_token="ya29.forged", property_id="111", query=query)
    assert bad_token.value.code == "ga4_unauthenticated"
    google.property_quota_exhausted.add("111")
    with pytest.raises(Ga4Error) as quota:
        await client.run_report(settings, access_token=token, property_id="111", query=query)
    assert quota.value.status == 429 and quota.value.retry_after == 3600 and "quota" in quota.value.message


def test_parse_report_tolerates_missing_parts() -> None:
    assert client.parse_report({}).rows == [] and client.parse_report({}).quota == {}
    parsed = client.parse_report(
        {
            "dimensionHeaders": [{"name": "date"}],
            "metricHeaders": [{"name": "sessions"}],
            "rows": [{"dimensionValues": [{"value": "20261201"}], "metricValues": [{"value": "n/a"}]}],
        }
    )
    assert parsed.rows[0].dimensions == {"date": "20261201"} and parsed.rows[0].metrics == {"sessions": 0.0}
    assert parsed.row_count == 1


def test_the_quota_day_turns_at_midnight_pacific_time() -> None:
    pacific = ZoneInfo("America/Los_Angeles")
    assert client.seconds_to_quota_day(datetime(2026, 12, 4, 23, 0, tzinfo=pacific)) == 3600
    # 09:00 UTC is 01:00 in Los Angeles in winter: 23 hours to go.
    assert client.seconds_to_quota_day(datetime(2026, 12, 4, 9, 0, tzinfo=UTC)) == 23 * 3600
    # The day Pacific clocks go back (1 November 2026) has 25 hours.
    assert client.seconds_to_quota_day(datetime(2026, 11, 1, 0, 0, tzinfo=pacific)) == 25 * 3600


def test_google_errors_become_clear_messages() -> None:
    def answer(status: int, google_status: str, message: str = "x") -> Ga4Error:
        body = {"error": {"code": status, "status": google_status, "message": message}}
        return client.error_from(httpx.Response(status, json=body))

    assert answer(429, "RESOURCE_EXHAUSTED").code == "ga4_quota_exhausted"
    hourly = answer(429, "RESOURCE_EXHAUSTED", "Exhausted property tokens per hour for a project per property.")
    assert "within the hour" in hourly.message and hourly.retry_after == 3600
    # The daily quota comes back at midnight Pacific time, not within the hour: saying "within the hour" made
    # people (and the pause) retry all day.
    daily = answer(429, "RESOURCE_EXHAUSTED", "Exhausted property tokens per day for a project per property.")
    assert "daily" in daily.message and "midnight Pacific time" in daily.message
    assert "within the hour" not in daily.message and 60 <= (daily.retry_after or 0) <= 24 * 3600
    burst = answer(429, "RESOURCE_EXHAUSTED", "Exhausted concurrent requests per property.")
    assert "at once" in burst.message and burst.retry_after == 5
    invalid = answer(400, "INVALID_ARGUMENT", "Did you mean sessions? Field sesions is not a valid metric.")
    assert invalid.status == 422 and "sesions is not a valid metric" in invalid.message
    assert answer(404, "NOT_FOUND").code == "ga4_property_not_found"
    assert answer(500, "INTERNAL").code == "ga4_unavailable"
    assert client.error_from(httpx.Response(502, text="<html>bad gateway</html>")).code == "ga4_unavailable"
