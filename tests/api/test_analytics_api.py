"""GA4 over HTTP, as a browser and a hostile client would call it, against a fake Google on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from backend.core import cache as cache_module
from backend.core.cache import MemoryBroker, MemoryCache
from tests.support.fake_google import ALICE, BOB, FakeGoogle, serve_fake_google, two_accounts
from tests.support.tenants import Tenant, auth_headers

REPORT = {"metrics": ["sessions"], "dimensions": ["landingPage"], "order_by": "sessions"}


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    with serve_fake_google(monkeypatch, two_accounts()) as fake:
        yield fake


async def _consent(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    """Connect → Google's consent → the callback path and query Google sends the browser back with."""
    start = await client.get("/api/v1/integrations/ga4/connect", headers=headers)
    assert start.status_code == 307, start.text
    async with httpx.AsyncClient() as browser:
        at_google = await browser.get(start.headers["location"])
    assert at_google.status_code == 302
    back = urlsplit(at_google.headers["location"])
    assert back.path == "/api/v1/integrations/ga4/callback"
    return f"{back.path}?{back.query}"


async def _connect(client: httpx.AsyncClient, tenant: Tenant, google: FakeGoogle, account: str, prop: str) -> None:
    google.consent_as = account
    callback = await client.get(await _consent(client, tenant.headers()))
    assert callback.status_code == 303 and callback.headers["location"].endswith("/integrations?ga4=connected")
    picked = await client.put("/api/v1/integrations/ga4", json={"property_id": prop}, headers=tenant.headers())
    assert picked.status_code == 200, picked.text


async def _member(client: httpx.AsyncClient, admin: Tenant, role: str) -> str:
    invite = await client.post(
        f"/api/v1/spaces/{admin.space_id}/members", json={"email": f"{role}@example.com", "role": role},
        headers=admin.headers(),
    )  # fmt: skip
    accepted = await client.post(
        f"/api/v1/invitations/{invite.json()['invitation_token']}/accept",
        json={"name": role.title(), "password": f"{role}-correct-horse"},
    )
    return str(accepted.json()["access_token"])


async def test_connect_pick_report_disconnect(
    client: httpx.AsyncClient, signup: Callable[..., Awaitable[Tenant]], google: FakeGoogle
) -> None:
    ada = await signup("ada")
    status = (await client.get("/api/v1/integrations/ga4", headers=ada.headers())).json()
    assert status["connected"] is False and status["needs_reconnect"] is False and status["property_id"] is None

    callback = await client.get(await _consent(client, ada.headers()))
    assert callback.status_code == 303
    assert callback.headers["location"] == "http://localhost:3000/integrations?ga4=connected"
    properties = await client.get("/api/v1/integrations/ga4/properties", headers=ada.headers())
    assert properties.json() == [{"id": "111", "name": "alpha.example", "account": "Alpha Inc"}]
    bad = await client.put("/api/v1/integrations/ga4", json={"property_id": "x; drop"}, headers=ada.headers())
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_failed"
    picked = await client.put("/api/v1/integrations/ga4", json={"property_id": "111"}, headers=ada.headers())
    assert picked.json()["property_id"] == "111" and picked.json()["property_name"] == "alpha.example"

    report = await client.post("/api/v1/analytics/report", json=REPORT, headers=ada.headers())
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["rows"][0] == {"dimensions": {"landingPage": "/blog/guide"}, "metrics": {"sessions": 55 * 28}}
    assert body["quota"]["tokensPerDay"]["remaining"] == 199_988
    invalid = await client.post("/api/v1/analytics/report", json={"metrics": []}, headers=ada.headers())
    assert invalid.status_code == 422

    gone = await client.delete("/api/v1/integrations/ga4", headers=ada.headers())
    assert gone.status_code == 204 and google.revoked_tokens
    after = await client.post("/api/v1/analytics/report", json=REPORT, headers=ada.headers())
    assert after.status_code == 409 and after.json()["error"]["code"] == "ga4_not_connected"


async def test_forged_replayed_and_expired_states_change_nothing(
    client: httpx.AsyncClient, signup: Callable[..., Awaitable[Tenant]], google: FakeGoogle
) -> None:
    ada, eve = await signup("ada"), await signup("eve")
    callback = await _consent(client, ada.headers())
    query = parse_qs(urlsplit(callback).query)
    code, state = query["code"][0], query["state"][0]
    eve_space = eve.space_id.replace("-", "")
    for forged in (state.replace(state.split(".")[0][32:], eve_space), state + "x", "nonsense", ""):
        answer = await client.get("/api/v1/integrations/ga4/callback", params={"code": code, "state": forged})
        assert answer.status_code == 303 and answer.headers["location"].endswith("ga4_error=invalid_state")
    assert not (await client.get("/api/v1/integrations/ga4", headers=eve.headers())).json()["connected"]
    assert not (await client.get("/api/v1/integrations/ga4", headers=ada.headers())).json()["connected"]
    denied = await client.get("/api/v1/integrations/ga4/callback", params={"state": state, "error": "access_denied"})
    assert denied.headers["location"].endswith("ga4_error=access_denied")
    replay = await client.get(callback)  # the state was used by the denied attempt
    assert replay.headers["location"].endswith("ga4_error=invalid_state")
    assert not (await client.get("/api/v1/integrations/ga4", headers=ada.headers())).json()["connected"]


async def test_roles_reconnect_prompt_quota_and_sibling_spaces(
    client: httpx.AsyncClient, signup: Callable[..., Awaitable[Tenant]], google: FakeGoogle
) -> None:
    ada = await signup("ada")
    await _connect(client, ada, google, ALICE, "111")
    viewer = auth_headers(await _member(client, ada, "viewer"), ada.space_id)
    assert (await client.post("/api/v1/analytics/report", json=REPORT, headers=viewer)).status_code == 200
    for method, path, body in (
        ("GET", "/api/v1/integrations/ga4/connect", None),
        ("GET", "/api/v1/integrations/ga4/properties", None),
        ("PUT", "/api/v1/integrations/ga4", {"property_id": "111"}),
        ("DELETE", "/api/v1/integrations/ga4", None),
    ):
        refused = await client.request(method, path, json=body, headers=viewer)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "admin_required", (method, path)
    assert (await client.get("/api/v1/integrations/ga4", headers=viewer)).json()["connected"]

    second = await client.post("/api/v1/spaces", json={"name": "Second"}, headers=auth_headers(ada.token))
    sibling = auth_headers(ada.token, second.json()["id"])
    none = await client.post("/api/v1/analytics/report", json=REPORT, headers=sibling)
    assert none.status_code == 409 and none.json()["error"]["code"] == "ga4_not_connected"
    assert "/pricing" not in none.text
    google.consent_as = BOB
    assert (await client.get(await _consent(client, sibling))).status_code == 303
    await client.put("/api/v1/integrations/ga4", json={"property_id": "222"}, headers=sibling)
    theirs = (await client.post("/api/v1/analytics/report", json=REPORT, headers=sibling)).json()
    assert [r["dimensions"]["landingPage"] for r in theirs["rows"]] == ["/bravo-secret"]
    assert [c["account"] for c in google.report_calls] == [ALICE, BOB]

    google.property_quota_exhausted.add("111")
    fresh = {**REPORT, "start_date": "7daysAgo"}
    quota = await client.post("/api/v1/analytics/report", json=fresh, headers=ada.headers())
    assert quota.status_code == 429 and quota.json()["error"]["code"] == "ga4_quota_exhausted"
    assert quota.headers["retry-after"] == "300" and "quota" in quota.json()["error"]["message"]
    calls = len(google.report_calls)
    again = await client.post("/api/v1/analytics/report", json={**fresh, "limit": 5}, headers=ada.headers())
    assert again.status_code == 429 and len(google.report_calls) == calls, "the property's pause is kept"
    assert int(again.headers["retry-after"]) <= 300
    other = await client.post("/api/v1/analytics/report", json=fresh, headers=sibling)
    assert other.status_code == 200, "another space's property is not paused"

    google.revoke_everything_of(ALICE)  # what Alice does in her Google account settings
    google.property_quota_exhausted.clear()
    cache_module.set_cache_and_broker(MemoryCache(), MemoryBroker())  # the pause is over
    revoked = await client.post("/api/v1/analytics/report", json={**REPORT, "start_date": "14daysAgo"}, headers=viewer)
    assert revoked.status_code == 409 and revoked.json()["error"]["code"] == "ga4_needs_reconnect"
    assert "reconnect GA4" in revoked.json()["error"]["message"]
    status = (await client.get("/api/v1/integrations/ga4", headers=ada.headers())).json()
    assert status["connected"] and status["needs_reconnect"] and "reconnect" in status["message"]
    assert (await client.post("/api/v1/analytics/report", json=fresh, headers=sibling)).status_code == 200


async def test_a_published_item_is_linked_to_its_address_and_shows_its_figures(
    client: httpx.AsyncClient, signup: Callable[..., Awaitable[Tenant]], google: FakeGoogle
) -> None:
    ada = await signup("ada")
    created = await client.post(
        "/api/v1/content", json={"title": "Pricing", "type": "landing_page", "body": "Plans."}, headers=ada.headers()
    )
    cid = created.json()["id"]
    early = await client.put(
        f"/api/v1/content/{cid}/url", json={"url": "https://alpha.example/"}, headers=ada.headers()
    )
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_published"
    for action in ("submit", "approve"):
        await client.post(f"/api/v1/content/{cid}/transitions", json={"action": action}, headers=ada.headers())
    wrong = await client.post(
        f"/api/v1/content/{cid}/transitions",
        json={"action": "publish", "url": "ftp://x.example/"},
        headers=ada.headers(),
    )
    assert wrong.status_code == 422 and "http" in wrong.text
    published = await client.post(
        f"/api/v1/content/{cid}/transitions",
        json={"action": "publish", "url": "https://alpha.example/pricing"},
        headers=ada.headers(),
    )
    assert published.status_code == 200, published.text
    assert published.json()["published_url"] == "https://alpha.example/pricing" and published.json()["published_at"]

    figures = await client.get(f"/api/v1/content/{cid}/performance", headers=ada.headers())
    assert figures.status_code == 200 and figures.json()["state"] == "not_connected"
    await _connect(client, ada, google, ALICE, "111")
    viewer = auth_headers(await _member(client, ada, "viewer"), ada.space_id)
    figures = await client.get(f"/api/v1/content/{cid}/performance", headers=viewer)
    assert figures.json()["state"] == "ok" and figures.json()["path"] == "/pricing" and figures.json()["days"] == 1
    assert figures.json()["sessions"] == 0, "published today: no visits counted from before"
    ranked = (await client.get("/api/v1/dashboard", headers=viewer)).json()["ga4"]["content_ranking"]
    assert [(r["title"], r["url"]) for r in ranked] == [("Pricing", "https://alpha.example/pricing")]

    refused = await client.put(f"/api/v1/content/{cid}/url", json={"url": "https://x.example/"}, headers=viewer)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "editor_required"
    bad = await client.put(f"/api/v1/content/{cid}/url", json={"url": "javascript:alert(1)"}, headers=ada.headers())
    assert bad.status_code == 422
    unlinked = await client.put(f"/api/v1/content/{cid}/url", json={"url": None}, headers=ada.headers())
    assert unlinked.status_code == 200 and unlinked.json()["published_url"] is None
    after = (await client.get(f"/api/v1/content/{cid}/performance", headers=ada.headers())).json()
    assert after["state"] == "not_linked" and "Link the item" in after["message"]
