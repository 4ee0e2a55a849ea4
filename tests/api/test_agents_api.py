"""Agents and conversations over HTTP: settings with defaults, admin-only changes, conversation CRUD, and
another space's conversation ids refused (same organization and another organization)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.tenants import auth_headers


async def test_agents_list_effective_settings_and_admins_override_them(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada", "Alpha Org")
    agents = (await client.get("/api/v1/agents", headers=ada.headers())).json()
    assert [a["agent"] for a in agents] == ["seo", "email", "brand", "strategy"]
    seo = agents[0]
    assert seo["temperature"] == 0.3 and seo["top_k"] == 5 and seo["max_iterations"] == 10
    assert seo["defaults"]["collections"] == ["seo_guidelines", "competitor_analysis"]
    assert set(seo["tools"]) == {"keyword_research", "serp_analysis", "content_audit"}

    changed = await client.put("/api/v1/agents/brand", json={"temperature": 0.9, "top_k": 12}, headers=ada.headers())
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["temperature"] == 0.9 and body["defaults"]["temperature"] == 0.7
    assert sorted(body["overridden"]) == ["temperature", "top_k"]
    bad = await client.put("/api/v1/agents/brand", json={"temperature": 7}, headers=ada.headers())
    assert bad.status_code == 422 and "error" in bad.json()
    unknown = await client.put("/api/v1/agents/legal", json={}, headers=ada.headers())
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "agent_not_found"
    audit = (await client.get("/api/v1/audit", headers=auth_headers(ada.token))).text
    assert "agent.settings_changed" in audit


async def test_conversation_lifecycle(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada", "Alpha Org")
    created = await client.post("/api/v1/conversations", json={"agent": "email"}, headers=ada.headers())
    assert created.status_code == 201, created.text
    conversation = created.json()
    assert conversation["agent"] == "email" and conversation["title"] == "New Email conversation"
    bad = await client.post("/api/v1/conversations", json={"agent": "legal"}, headers=ada.headers())
    assert bad.status_code == 422
    listed = await client.get("/api/v1/conversations?agent=email", headers=ada.headers())
    assert [c["id"] for c in listed.json()] == [conversation["id"]] and listed.headers["X-Total-Count"] == "1"
    path = f"/api/v1/conversations/{conversation['id']}"
    renamed = await client.patch(path, json={"title": "Spring campaign"}, headers=ada.headers())
    assert renamed.json()["title"] == "Spring campaign"
    assert (await client.get(f"{path}/messages", headers=ada.headers())).json() == []
    assert (await client.delete(path, headers=ada.headers())).status_code == 204
    assert (await client.get(path, headers=ada.headers())).status_code == 404
    malformed = await client.get("/api/v1/conversations/not-a-uuid", headers=ada.headers())
    assert malformed.status_code == 404 and malformed.json()["error"]["code"] == "conversation_not_found"


async def test_another_spaces_conversations_are_404_and_untouched(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada", "Alpha Org")
    eve = await signup("eve", "Bravo Org")
    second = await client.post("/api/v1/spaces", json={"name": "Second"}, headers=auth_headers(ada.token))
    assert second.status_code == 201, second.text
    ada_second = second.json()["id"]
    targets = []
    for owner, space in ((eve, eve.space_id), (ada, ada_second)):
        made = await client.post(
            "/api/v1/conversations",
            json={"agent": "seo", "title": "Secret plan"},
            headers=auth_headers(owner.token, space),
        )
        assert made.status_code == 201, made.text
        targets.append((space, made.json()["id"]))
    for space, conversation_id in targets:
        path = f"/api/v1/conversations/{conversation_id}"
        for method, url, body in (
            ("GET", path, None),
            ("PATCH", path, {"title": "Hijacked"}),
            ("DELETE", path, None),
            ("GET", f"{path}/messages", None),
        ):
            response = await client.request(method, url, json=body, headers=ada.headers())
            assert response.status_code == 404, (method, url, response.text)
            assert "Secret plan" not in response.text
        owner_token = eve.token if space == eve.space_id else ada.token
        still = await client.get(path, headers=auth_headers(owner_token, space))
        assert still.status_code == 200 and still.json()["title"] == "Secret plan"
    assert (await client.get("/api/v1/conversations", headers=ada.headers())).json() == []
