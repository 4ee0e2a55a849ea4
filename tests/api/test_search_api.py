"""`POST /api/v1/search` and the key-fact routes through the real ASGI app: the API.md contract, validation,
roles, and the space boundary (a user of space A never gets space B's passages or facts)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.api.world import World
from tests.support.tenants import auth_headers as _auth

GUIDE = b"""# Pricing guide

## Pro plan

The Pro plan costs 49 euros per month and includes unlimited campaigns.

## Enterprise plan

Enterprise contracts are negotiated every year.
"""
RESULT_FIELDS = {"chunk_id", "document_id", "document_title", "content", "heading_path", "page", "score", "stream"}
TIMINGS = {"referenced", "general", "urls", "business_context", "rerank", "total"}


@pytest.fixture(autouse=True)
def counted_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    """Usage is counted, not written: the rolled-back single-connection database cannot interleave the writer."""
    from backend.models.accounting import counted
    from backend.retrieval import service

    monkeypatch.setattr(service, "metered", lambda scope, **_: counted(scope))


async def _upload(client: httpx.AsyncClient, headers: dict[str, str], name: str, body: bytes) -> str:
    response = await client.post("/api/v1/documents", files={"file": (name, body, "text/markdown")}, headers=headers)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


async def test_search_returns_ranked_passages_with_sources_and_timings(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    document_id = await _upload(client, ada.headers(), "pricing.md", GUIDE)
    await client.post("/api/v1/key-facts", json={"text": "Prices include VAT."}, headers=ada.headers())
    response = await client.post(
        "/api/v1/search", json={"query": "How much is the Pro plan?", "enhance": False}, headers=ada.headers()
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["enhanced_query"] is None and set(body["timings_ms"]) >= TIMINGS
    best = body["results"][0]
    assert set(best) >= RESULT_FIELDS and best["stream"] == "general" and best["stale"] is False
    assert best["document_id"] == document_id and best["document_title"] == "Pricing guide"
    assert "49 euros" in best["content"] and best["heading_path"] == ["Pricing guide", "Pro plan"]
    assert best["score"] > 0 and body["streams"]["general"]["status"] == "ok"
    facts = [r for r in body["results"] if r["stream"] == "business_context"]
    assert [f["content"] for f in facts if f["document_title"] == "Key fact"] == ["Prices include VAT."]


async def test_search_inside_named_documents_and_with_enhancement(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    guide = await _upload(client, ada.headers(), "pricing.md", GUIDE)
    await _upload(client, ada.headers(), "other.md", b"# Notes\n\nThe office is in Lisbon.\n")
    response = await client.post(
        "/api/v1/search",
        json={"query": "enterprise contracts", "document_ids": [guide], "top_k": 3, "enhance": True},
        headers=ada.headers(),
    )
    body = response.json()
    assert response.status_code == 200 and body["streams"]["referenced"]["status"] == "ok"
    assert {r["document_id"] for r in body["results"] if r["stream"] == "referenced"} == {guide}
    assert len([r for r in body["results"] if r["stream"] != "business_context"]) <= 3
    assert set(body["enhanced_query"]) >= {"expanded_query", "alternatives", "entities"}
    assert body["timings_ms"]["referenced"] > 0


@pytest.mark.parametrize(
    ("payload", "status"),
    [({"query": ""}, 422), ({"query": "x", "top_k": 101}, 422), ({"query": "x", "top_k": 0}, 422), ({}, 422)],
)
async def test_invalid_searches_are_refused_with_the_error_envelope(
    client: httpx.AsyncClient, signup: Any, payload: dict[str, Any], status: int
) -> None:
    ada = await signup("ada")
    response = await client.post("/api/v1/search", json=payload, headers=ada.headers())
    assert response.status_code == status and response.json()["error"]["code"] == "validation_failed"


async def test_search_needs_a_token_and_a_space(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    assert (await client.post("/api/v1/search", json={"query": "x"})).status_code == 401
    missing = await client.post("/api/v1/search", json={"query": "x"}, headers=_auth(ada.token))
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "space_id_required"


async def test_key_facts_are_listed_pinned_and_unpinned(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    created = await client.post("/api/v1/key-facts", json={"text": "  Launch is on 12 May. "}, headers=ada.headers())
    assert created.status_code == 201 and created.json()["text"] == "Launch is on 12 May."
    listed = await client.get("/api/v1/key-facts", headers=ada.headers())
    assert listed.headers["X-Total-Count"] == "1" and [f["text"] for f in listed.json()] == ["Launch is on 12 May."]
    too_long = await client.post("/api/v1/key-facts", json={"text": "x" * 600}, headers=ada.headers())
    assert too_long.status_code == 422 and too_long.json()["error"]["code"] == "key_fact_too_long"
    fact_id = created.json()["id"]
    assert (await client.delete(f"/api/v1/key-facts/{fact_id}", headers=ada.headers())).status_code == 204
    again = await client.delete(f"/api/v1/key-facts/{fact_id}", headers=ada.headers())
    assert again.status_code == 404 and again.json()["error"]["code"] == "key_fact_not_found"


async def test_viewers_search_and_read_facts_but_cannot_pin(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    invite = await client.post(
        f"/api/v1/spaces/{ada.space_id}/members", json={"email": "vic@example.com", "role": "viewer"},
        headers=ada.headers(),
    )  # fmt: skip
    vic = (
        await client.post(
            f"/api/v1/invitations/{invite.json()['invitation_token']}/accept",
            json={"name": "Vic", "password": "vic-correct-horse"},
        )
    ).json()
    headers = _auth(vic["access_token"], ada.space_id)
    assert (await client.post("/api/v1/search", json={"query": "plan"}, headers=headers)).status_code == 200
    assert (await client.get("/api/v1/key-facts", headers=headers)).status_code == 200
    refused = await client.post("/api/v1/key-facts", json={"text": "A viewer's fact"}, headers=headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "editor_required"


async def test_space_a_never_receives_space_b_passages_or_facts(client: httpx.AsyncClient, world: World) -> None:
    w = world
    fact = await client.post("/api/v1/key-facts", json={"text": f"The {w.b_secret} code"}, headers=w.eve.headers())
    fact_id = fact.json()["id"]
    query = {"query": f"{w.b_secret} launch in May", "document_ids": [w.b_document_id], "top_k": 100}
    theirs = await client.post("/api/v1/search", json=query, headers=w.eve.headers())
    assert w.b_secret in theirs.text, "B finds its own launch plan and fact"
    mine = await client.post("/api/v1/search", json=query, headers=w.ada.headers())
    assert mine.status_code == 200 and w.b_secret not in mine.text and "Bravo" not in mine.text
    assert all(r["stream"] == "business_context" for r in mine.json()["results"])
    # B's fact id: unknown in A's space, forbidden with B's space id, and still there afterwards.
    in_mine = await client.delete(f"/api/v1/key-facts/{fact_id}", headers=w.ada.headers())
    unknown = await client.delete(f"/api/v1/key-facts/{uuid.uuid4()}", headers=w.ada.headers())
    assert in_mine.status_code == 404 and in_mine.json() == unknown.json()
    in_theirs = await client.delete(f"/api/v1/key-facts/{fact_id}", headers=_auth(w.ada.token, w.eve.space_id))
    assert in_theirs.status_code == 403
    facts = (await client.get("/api/v1/key-facts", headers=w.eve.headers())).json()
    assert [f["id"] for f in facts] == [fact_id]
    assert (await client.get("/api/v1/key-facts", headers=w.ada.headers())).json() == []


async def test_the_url_stream_does_not_tell_which_internal_hosts_resolve(
    client: httpx.AsyncClient, signup: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.core.config import get_settings

    monkeypatch.setattr(get_settings(), "allow_private_urls", False)
    ada = await signup("ada")
    errors = []
    for url in ("http://no-such-host.invalid/", "http://127.0.0.1:9/", "http://localhost:9/"):
        body = (await client.post("/api/v1/search", json={"query": "pricing", "urls": [url], "enhance": False},
                                  headers=ada.headers())).json()  # fmt: skip
        errors.append(body["streams"]["urls"]["error"])
    assert len(set(errors)) == 1 and errors[0], errors
    assert "no-such-host" not in errors[0] and "private" not in errors[0].lower()


async def test_the_business_context_a_search_returns_follows_every_change(
    client: httpx.AsyncClient, signup: Any
) -> None:
    """It is cached per space between searches; adding or removing a fact, renaming the space or changing the
    brand voice shows in the very next search."""

    ada = await signup("ada")

    async def pinned() -> dict[str, list[str]]:
        body = {"query": "launch", "enhance": False}
        response = await client.post("/api/v1/search", json=body, headers=ada.headers())
        shown: dict[str, list[str]] = {}
        for r in response.json()["results"]:
            if r["stream"] == "business_context":
                shown.setdefault(r["document_title"], []).append(r["content"])
        return shown

    assert "Key fact" not in await pinned()
    fact = await client.post("/api/v1/key-facts", json={"text": "Launch is on 12 May."}, headers=ada.headers())
    assert (await pinned())["Key fact"] == ["Launch is on 12 May."]
    await client.delete(f"/api/v1/key-facts/{fact.json()['id']}", headers=ada.headers())
    assert "Key fact" not in await pinned()
    renamed = await client.patch(f"/api/v1/spaces/{ada.space_id}", json={"name": "Launches"}, headers=ada.headers())
    assert renamed.status_code == 200
    assert "Space: Launches" in (await pinned())["Organization profile"][0]
    voice = await client.put("/api/v1/space/brand-voice", json={"tone": "Calm and precise"}, headers=ada.headers())
    assert voice.status_code == 200
    assert "Tone: Calm and precise" in (await pinned())["Brand voice"][0]
