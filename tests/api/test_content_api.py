"""Content and review over HTTP, as API.md promises it: create, list by state, versions with their scores,
transitions (409 for what the state does not allow), the review policy and the audit pack."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.models.accounting import counted
from backend.retrieval import service as retrieval_service
from tests.support.tenants import Tenant

BODY = "Subject: Our spring catalogue is here with forty new arrivals\n\nAcme serves 12,000 teams in Asia."


@pytest.fixture(autouse=True)
def _count_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retrieval_service, "metered", lambda scope, **kw: counted(scope))


async def test_an_item_goes_from_draft_to_published_over_http(client: httpx.AsyncClient, signup: Any) -> None:
    ada: Tenant = await signup("ada")
    created = await client.post(
        "/api/v1/content", json={"title": "Spring", "type": "email", "body": BODY}, headers=ada.headers()
    )
    assert created.status_code == 201, created.text
    item = created.json()
    assert {k: item[k] for k in ("title", "type", "state", "version")} == {
        "title": "Spring",
        "type": "email",
        "state": "draft",
        "version": 1,
    }
    cid = item["id"]
    v1 = (await client.get(f"/api/v1/content/{cid}/versions/1", headers=ada.headers())).json()
    assert set(v1["scores"]) == {"brand_voice", "grounding", "previews"}
    assert {"score", "sub_scores", "flags"} <= set(v1["scores"]["brand_voice"])
    claim = v1["scores"]["grounding"]["claims"][0]
    assert claim == {"text": "Acme serves 12,000 teams in Asia.", "supported": False, "sources": []}
    mobile = v1["scores"]["previews"]["email_subject_mobile"]
    assert mobile["truncated"] and mobile["shown"].endswith("…") and len(mobile["shown"]) <= 35

    refused = await client.post(f"/api/v1/content/{cid}/transitions", json={"action": "publish"}, headers=ada.headers())
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "transition_not_allowed"
    bad = await client.post(f"/api/v1/content/{cid}/transitions", json={"action": "delete"}, headers=ada.headers())
    assert bad.status_code == 422
    edited = await client.post(
        f"/api/v1/content/{cid}/versions", json={"body": BODY + " Book a call."}, headers=ada.headers()
    )
    assert edited.status_code == 201 and edited.json()["number"] == 2 and "scores" in edited.json()
    for action in ("submit", "approve", "publish"):
        moved = await client.post(
            f"/api/v1/content/{cid}/transitions", json={"action": action, "version": 2}, headers=ada.headers()
        )
        assert moved.status_code == 200, moved.text
    full = (await client.get(f"/api/v1/content/{cid}", headers=ada.headers())).json()
    assert full["state"] == "published" and full["current_version"] == 2
    assert [v["number"] for v in full["versions"]] == [1, 2] and all(len(v["hash"]) == 64 for v in full["versions"])
    published = await client.get("/api/v1/content?state=published", headers=ada.headers())
    assert [i["id"] for i in published.json()] == [cid] and published.headers["X-Total-Count"] == "1"
    assert (await client.get("/api/v1/content?state=draft", headers=ada.headers())).json() == []
    assert (await client.get("/api/v1/content?state=nope", headers=ada.headers())).status_code == 422

    pack = await client.get(f"/api/v1/content/{cid}/audit-pack", headers=ada.headers())
    assert pack.status_code == 200 and pack.json()["approvals"][0]["version"] == 2
    assert pack.json()["approvals"][0]["by"] == "ada@example.com"
    markdown = await client.get(f"/api/v1/content/{cid}/audit-pack?format=markdown", headers=ada.headers())
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "# Audit pack: Spring" in markdown.text and "Approve by ada@example.com (version 2" in markdown.text


async def test_roles_and_bad_input_are_refused_and_change_nothing(client: httpx.AsyncClient, signup: Any) -> None:
    ada: Tenant = await signup("ada")
    bad_type = await client.post(
        "/api/v1/content", json={"title": "X", "type": "poem", "body": "Hi"}, headers=ada.headers()
    )
    blank = await client.post(
        "/api/v1/content", json={"title": "X", "type": "ad", "body": "   "}, headers=ada.headers()
    )
    assert (bad_type.status_code, blank.status_code) == (422, 422)
    assert (await client.get("/api/v1/content", headers=ada.headers())).json() == []
    assert (await client.get("/api/v1/content/not-an-id", headers=ada.headers())).status_code == 404
    settings = await client.put(
        "/api/v1/content-settings", json={"require_supported_claims": True}, headers=ada.headers()
    )
    assert settings.status_code == 200 and settings.json() == {"require_supported_claims": True}
    cid = (
        await client.post(
            "/api/v1/content", json={"title": "Claims", "type": "ad", "body": BODY}, headers=ada.headers()
        )
    ).json()["id"]
    await client.post(f"/api/v1/content/{cid}/transitions", json={"action": "submit"}, headers=ada.headers())
    gated = await client.post(f"/api/v1/content/{cid}/transitions", json={"action": "approve"}, headers=ada.headers())
    assert gated.status_code == 409 and gated.json()["error"]["code"] == "unsupported_claims"
    overridden = await client.post(
        f"/api/v1/content/{cid}/transitions",
        json={"action": "approve", "override": True, "note": "Checked with sales."},
        headers=ada.headers(),
    )
    assert overridden.status_code == 200 and overridden.json()["transitions"][-1]["override"] is True


async def test_another_spaces_run_is_refused_as_the_origin_of_content(
    client: httpx.AsyncClient, world: Any, queued: list[Any]
) -> None:
    eve = world.eve
    conversation = await client.post("/api/v1/conversations", json={"agent": "brand"}, headers=eve.headers())
    started = await client.post(
        f"/api/v1/conversations/{conversation.json()['id']}/runs", json={"message": "Draft it"}, headers=eve.headers()
    )
    assert started.status_code == 202, started.text
    their_run = started.json()["run_id"]
    refused = await client.post(
        "/api/v1/content",
        json={"title": "Borrowed", "type": "email", "body": BODY, "run_id": their_run},
        headers=world.ada.headers(),
    )
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "run_not_found"
    assert (await client.get("/api/v1/content", headers=world.ada.headers())).json() == [], "nothing stored"
    theirs = await client.post(
        "/api/v1/content",
        json={"title": "Their own", "type": "email", "body": BODY, "run_id": their_run},
        headers=eve.headers(),
    )
    assert theirs.status_code == 201, theirs.text
