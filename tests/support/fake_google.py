"""A fake Google for GA4 tests: OAuth2 (authorize, token, revoke), the Data API and the Admin API, on the wire.

Served on 127.0.0.1 with `serve_in_thread`; `use_fake_google(monkeypatch, base_url)` points every GA4 setting
at it. It behaves like Google where our code depends on it:

- authorize: checks the client id, redirect URI, `code_challenge_method=S256`, then "consents" as
  `fake.consent_as` (a Google account) and redirects to the redirect URI with a one-time code and the state.
- token: `authorization_code` checks the client secret, the redirect URI and that SHA-256 of
  `code_verifier` matches the challenge (PKCE), once per code; `refresh_token` answers `invalid_grant` for a
  revoked or unknown refresh token. Every grant is remembered with its account, so a test can tell which
  account's token a request used. With `rotate_refresh_tokens`, a refresh also issues a new refresh token and
  the one it used stops working (as Google may do): a client that refreshes twice with one token loses the
  grant. While `token_gate` is clear it holds every token call, counting them (`token_in_flight`).
- revoke: revokes a refresh token's grant (and every access token issued from it).
- runReport: a valid bearer token of an account that can read the property; `property_quota_exhausted`
  answers 429 `RESOURCE_EXHAUSTED`. Rows are aggregated from `fake.facts[property]` (flat records holding
  dimension and metric values) by the requested dimensions, filtered by the date range when the facts have a
  `date` (YYYYMMDD) and by a `dimensionFilter` holding one `inListFilter`, sorted and limited;
  `propertyQuota` is returned when asked for. It counts the reports running at once (`in_flight`, highest in
  `max_in_flight`) and, while `gate` is clear, holds every report before answering, so a test can see how
  many a client sends at the same time.
- accountSummaries: the account's GA4 accounts and properties.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse

from backend.core.config import get_settings
from tests.support.servers import serve_in_thread

CLIENT_ID = "test-client.apps.googleusercontent.com"
CLIENT_SECRET = "test-client-secret"
ALICE, BOB = "alice@example.com", "bob@example.com"


@dataclass
class Grant:
    account: str
    refresh_token: str
    revoked: bool = False
    access_tokens: set[str] = field(default_factory=set)


@dataclass
class FakeGoogle:
    """The fake's state; tests read and change it between requests (a lock guards the server thread)."""

    consent_as: str = "alice@example.com"
    accounts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """account email → GA4 accounts: [{"name", "properties": [{"id", "name"}]}]"""
    facts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    property_quota_exhausted: set[str] = field(default_factory=set)
    quota_exhausted_per: str = "hour"
    """Which quota `property_quota_exhausted` properties ran out of, as Google's message names it: hour or day."""
    access_lifetime: int = 3600
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    access: dict[str, Grant] = field(default_factory=dict)
    token_calls: list[dict[str, str]] = field(default_factory=list)
    report_calls: list[dict[str, Any]] = field(default_factory=list)
    revoked_tokens: list[str] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    gate: threading.Event = field(default_factory=lambda: _open_gate())
    rotate_refresh_tokens: bool = False
    token_in_flight: int = 0
    token_gate: threading.Event = field(default_factory=lambda: _open_gate())
    lock: threading.Lock = field(default_factory=threading.Lock)

    def readable(self, account: str) -> set[str]:
        return {p["id"] for acc in self.accounts.get(account, []) for p in acc["properties"]}

    def grant_of(self, access_token: str) -> Grant | None:
        grant = self.access.get(access_token)
        return grant if grant and not grant.revoked else None

    def revoke_everything_of(self, account: str) -> None:
        """What a user does in their Google account settings: the app's grants stop working."""
        with self.lock:
            for grant in self.grants.values():
                if grant.account == account:
                    grant.revoked = True


def _open_gate() -> threading.Event:
    gate = threading.Event()
    gate.set()
    return gate


def _error(status: int, google_status: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": status, "message": message, "status": google_status}}, status_code=status)


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _resolve_date(value: str, today: date) -> date:
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    if value.endswith("daysAgo"):
        return today - timedelta(days=int(value[: -len("daysAgo")]))
    return date.fromisoformat(value)


def _aggregate(facts: list[dict[str, Any]], body: dict[str, Any]) -> tuple[list[str], list[str], list[list[Any]]]:
    dims = [d["name"] for d in body.get("dimensions") or []]
    mets = [m["name"] for m in body.get("metrics") or []]
    ranges = body.get("dateRanges") or [{"startDate": "28daysAgo", "endDate": "yesterday"}]
    today = date.today()
    start, end = _resolve_date(ranges[0]["startDate"], today), _resolve_date(ranges[0]["endDate"], today)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    wanted = (body.get("dimensionFilter") or {}).get("filter")
    for fact in facts:
        if wanted and str(fact.get(wanted["fieldName"])) not in wanted["inListFilter"]["values"]:
            continue
        if "date" in fact:
            day = date(int(fact["date"][:4]), int(fact["date"][4:6]), int(fact["date"][6:]))
            if not start <= day <= end:
                continue
        key = tuple(str(fact.get(d, "(not set)")) for d in dims)
        groups.setdefault(key, []).append(fact)
    rows = []
    for key, members in groups.items():
        values = []
        for metric in mets:
            numbers = [float(m.get(metric, 0)) for m in members]
            values.append(sum(numbers) / len(numbers) if metric.endswith("Rate") else sum(numbers))
        rows.append([*key, *values])
    for order in reversed(body.get("orderBys") or []):
        if "metric" in order:
            index = len(dims) + mets.index(order["metric"]["metricName"])
            rows.sort(key=lambda r, i=index: r[i], reverse=bool(order.get("desc")))  # type: ignore[misc]
    return dims, mets, rows[: int(body.get("limit") or 10_000)]


def _value(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(round(number, 6))


def build_app(fake: FakeGoogle) -> FastAPI:
    app = FastAPI()

    @app.get("/o/oauth2/v2/auth")
    async def authorize(request: Request) -> Any:
        q = request.query_params
        if q.get("client_id") != CLIENT_ID:
            return _oauth_error("invalid_client", "The OAuth client was not found.", 401)
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return _oauth_error("invalid_request", "PKCE with S256 is required.")
        if "analytics.readonly" not in (q.get("scope") or ""):
            return _oauth_error("invalid_scope", "The analytics scope is missing.")
        code = secrets.token_urlsafe(24)
        with fake.lock:
            fake.codes[code] = {
                "challenge": q["code_challenge"],
                "redirect_uri": q["redirect_uri"],
                "account": fake.consent_as,
                "offline": q.get("access_type", ""),
            }
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q.get('state', '')})}", 302)

    @app.post("/token")
    async def token(
        grant_type: str = Form(...),
        client_id: str = Form(""),
        client_secret: str = Form(""),
        code: str = Form(""),
        code_verifier: str = Form(""),
        redirect_uri: str = Form(""),
        refresh_token: str = Form(""),
    ) -> JSONResponse:
        with fake.lock:
            fake.token_in_flight += 1
        try:
            while not fake.token_gate.is_set():
                await asyncio.sleep(0.01)
            return _token(grant_type, client_id, client_secret, code, code_verifier, redirect_uri, refresh_token)
        finally:
            with fake.lock:
                fake.token_in_flight -= 1

    def _token(
        grant_type: str,
        client_id: str,
        client_secret: str,
        code: str,
        code_verifier: str,
        redirect_uri: str,
        refresh_token: str,
    ) -> JSONResponse:
        with fake.lock:
            fake.token_calls.append({"grant_type": grant_type, "refresh_token": refresh_token, "code": code})
            if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
                return _oauth_error("invalid_client", "Unauthorized", 401)
            if grant_type == "authorization_code":
                issued = fake.codes.pop(code, None)
                if issued is None:
                    return _oauth_error("invalid_grant", "Malformed auth code.")
                if issued["redirect_uri"] != redirect_uri:
                    return _oauth_error("redirect_uri_mismatch", "Bad Request")
                if not code_verifier or _s256(code_verifier) != issued["challenge"]:
                    return _oauth_error("invalid_grant", "Invalid code verifier.")
                grant = Grant(account=issued["account"], refresh_token="1//" + secrets.token_urlsafe(32))
                fake.grants[grant.refresh_token] = grant
                body: dict[str, Any] = {"refresh_token": grant.refresh_token} if issued["offline"] == "offline" else {}
            elif grant_type == "refresh_token":
                found = fake.grants.get(refresh_token)
                if found is None or found.revoked:
                    return _oauth_error("invalid_grant", "Token has been expired or revoked.")
                grant, body = found, {}
                if fake.rotate_refresh_tokens:
                    del fake.grants[refresh_token]
                    grant.refresh_token = "1//" + secrets.token_urlsafe(32)
                    fake.grants[grant.refresh_token] = grant
                    body = {"refresh_token": grant.refresh_token}
            else:
                return _oauth_error("unsupported_grant_type", "Invalid grant_type.")
            access = "ya29." + secrets.token_urlsafe(32)
            grant.access_tokens.add(access)
            fake.access[access] = grant
        return JSONResponse(
            {
                **body,
                "access_token": access,
                "expires_in": fake.access_lifetime,
                "scope": "https://www.googleapis.com/auth/analytics.readonly",
                "token_type": "Bearer",
            }
        )

    @app.post("/revoke")
    async def revoke(token: str = Form("")) -> JSONResponse:
        with fake.lock:
            grant = fake.grants.get(token) or fake.access.get(token)
            if grant is None or grant.revoked:
                return _oauth_error("invalid_token", "Token expired or revoked")
            grant.revoked = True
            fake.revoked_tokens.append(token)
        return JSONResponse({})

    def _caller(request: Request) -> Grant | None:
        header = request.headers.get("authorization", "")
        return fake.grant_of(header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None

    @app.post("/v1beta/properties/{property_id}:runReport")
    async def run_report(property_id: str, request: Request) -> JSONResponse:
        with fake.lock:
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
        try:
            while not fake.gate.is_set():
                await asyncio.sleep(0.01)
            return await _report(property_id, request)
        finally:
            with fake.lock:
                fake.in_flight -= 1

    async def _report(property_id: str, request: Request) -> JSONResponse:
        body = await request.json()
        with fake.lock:
            grant = _caller(request)
            fake.report_calls.append(
                {"property": property_id, "account": grant.account if grant else None, "body": body}
            )
            if grant is None:
                return _error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
            if property_id not in fake.readable(grant.account):
                return _error(403, "PERMISSION_DENIED", "User does not have sufficient permissions for this property.")
            if property_id in fake.property_quota_exhausted:
                return _error(
                    429,
                    "RESOURCE_EXHAUSTED",
                    f"Exhausted property tokens per {fake.quota_exhausted_per} for a project per property.",
                )
            if not body.get("metrics"):
                return _error(400, "INVALID_ARGUMENT", "At least one metric is required.")
            dims, mets, rows = _aggregate(fake.facts.get(property_id, []), body)
        answer: dict[str, Any] = {
            "dimensionHeaders": [{"name": d} for d in dims],
            "metricHeaders": [{"name": m, "type": "TYPE_INTEGER"} for m in mets],
            "rows": [
                {
                    "dimensionValues": [{"value": v} for v in row[: len(dims)]],
                    "metricValues": [{"value": _value(v)} for v in row[len(dims) :]],
                }
                for row in rows
            ],
            "rowCount": len(rows),
            "metadata": {"currencyCode": "USD", "timeZone": "Europe/Paris"},
            "kind": "analyticsData#runReport",
        }
        if body.get("returnPropertyQuota"):
            answer["propertyQuota"] = {
                "tokensPerDay": {"consumed": 12, "remaining": 199_988},
                "tokensPerHour": {"consumed": 12, "remaining": 39_988},
                "concurrentRequests": {"consumed": 0, "remaining": 10},
                "serverErrorsPerProjectPerHour": {"consumed": 0, "remaining": 10},
                "potentiallyThresholdedRequestsPerHour": {"consumed": 0, "remaining": 120},
                "tokensPerProjectPerHour": {"consumed": 12, "remaining": 13_988},
            }
        return JSONResponse(answer)

    @app.get("/v1beta/accountSummaries")
    async def account_summaries(request: Request) -> JSONResponse:
        with fake.lock:
            grant = _caller(request)
            if grant is None:
                return _error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
            accounts = fake.accounts.get(grant.account, [])
        return JSONResponse(
            {
                "accountSummaries": [
                    {
                        "name": f"accountSummaries/{index}",
                        "account": f"accounts/{index}",
                        "displayName": acc["name"],
                        "propertySummaries": [
                            {
                                "property": f"properties/{p['id']}",
                                "displayName": p["name"],
                                "propertyType": "PROPERTY_TYPE_ORDINARY",
                                "parent": f"accounts/{index}",
                            }
                            for p in acc["properties"]
                        ],
                    }
                    for index, acc in enumerate(accounts, start=1000)
                ]
            }
        )

    return app


def two_accounts() -> FakeGoogle:
    """Alice reads property 111 (a month of sample traffic); Bob reads 222 (one page nobody else may see)."""
    return FakeGoogle(
        accounts={
            ALICE: [{"name": "Alpha Inc", "properties": [{"id": "111", "name": "alpha.example"}]}],
            BOB: [{"name": "Bravo Ltd", "properties": [{"id": "222", "name": "bravo.example"}]}],
        },
        facts={"111": sample_facts(), "222": [{"landingPage": "/bravo-secret", "sessions": 9, "keyEvents": 9}]},
    )


@contextmanager
def serve_fake_google(monkeypatch: pytest.MonkeyPatch, fake: FakeGoogle) -> Iterator[FakeGoogle]:
    """Serve `fake` on 127.0.0.1 with every Google setting pointed at it, for the block."""
    with serve_in_thread(build_app(fake)) as url:
        use_fake_google(monkeypatch, url)
        try:
            yield fake
        finally:
            get_settings.cache_clear()


def google_env(base_url: str) -> dict[str, str]:
    """The settings (environment variables) that point the app at a fake Google served at `base_url`."""
    return {
        "GOOGLE_OAUTH_CLIENT_ID": CLIENT_ID,
        "GOOGLE_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
        "GOOGLE_OAUTH_AUTHORIZE_URL": f"{base_url}/o/oauth2/v2/auth",
        "GOOGLE_OAUTH_TOKEN_URL": f"{base_url}/token",
        "GOOGLE_OAUTH_REVOKE_URL": f"{base_url}/revoke",
        "GA4_DATA_API_URL": f"{base_url}/v1beta",
        "GA4_ADMIN_API_URL": f"{base_url}/v1beta",
    }


def use_fake_google(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    """Point every Google setting at the fake (settings are re-read; the caller's monkeypatch undoes it)."""
    for name, value in google_env(base_url).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


@contextmanager
def serve_fake_google_for_session(fake: FakeGoogle) -> Iterator[tuple[FakeGoogle, str]]:
    """Serve `fake` for another process (the browser tier's app is told its URL through `google_env`)."""
    with serve_in_thread(build_app(fake)) as url:
        yield fake, url


def sample_facts(days: int = 30) -> list[dict[str, Any]]:
    """A month of landing-page traffic: /pricing converts, /blog/old-post bores, /blog/guide draws searches."""
    today = date.today()
    facts = []
    for offset in range(1, days + 1):
        day = (today - timedelta(days=offset)).strftime("%Y%m%d")
        facts += [
            {"date": day, "landingPage": "/pricing", "searchTerm": "pricing plans", "sessions": 40,
             "keyEvents": 6, "engagementRate": 0.71},
            {"date": day, "landingPage": "/blog/guide", "searchTerm": "brand voice guide", "sessions": 55,
             "keyEvents": 1, "engagementRate": 0.64},
            {"date": day, "landingPage": "/blog/old-post", "searchTerm": "(not set)", "sessions": 30,
             "keyEvents": 0, "engagementRate": 0.12},
        ]  # fmt: skip
    return facts


def totals(facts: list[dict[str, Any]], start: str, end: str) -> dict[str, float]:
    """Each metric summed over the dated facts from `start` to `end` (YYYY-MM-DD, both included)."""
    first, last = start.replace("-", ""), end.replace("-", "")
    out: dict[str, float] = {}
    for fact in facts:
        if first <= str(fact.get("date", "")) <= last:
            for name, value in fact.items():
                if isinstance(value, int | float):
                    out[name] = out.get(name, 0) + value
    return out


__all__ = [
    "ALICE",
    "BOB",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "FakeGoogle",
    "build_app",
    "google_env",
    "sample_facts",
    "serve_fake_google",
    "serve_fake_google_for_session",
    "totals",
    "two_accounts",
    "use_fake_google",
]
