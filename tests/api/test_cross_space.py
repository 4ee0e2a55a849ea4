"""The cross-space matrix: a user of space A naming space B (or B's objects) gets 403/404 and none of B's data.

Every route of the API must appear in one of the tables below; a new route fails
`test_every_route_is_in_the_matrix` until its cross-space behaviour is declared and tested here.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.api.world import FILE, World
from tests.support.tenants import auth_headers as _auth

PUBLIC_ROUTES = {
    ("GET", "/api/v1/health"),
    ("POST", "/api/v1/auth/signup"),
    ("POST", "/api/v1/auth/token"),
    # The mailed token is the credential; unknown, used and expired tokens are attacked in
    # tests/api/test_email_verification_api.py.
    ("POST", "/api/v1/auth/verify-email"),
    ("GET", "/api/v1/.well-known/jwks.json"),
    ("GET", "/api/v1/invitations/{token}"),
    ("POST", "/api/v1/invitations/{token}/accept"),
    # Authenticated by Slack's signature / the install's encrypted state; attacked in tests/api/test_slack_api.py.
    ("POST", "/api/v1/integrations/slack/interactions"),
    ("GET", "/api/v1/integrations/slack/oauth/callback"),
    # Google redirects the browser here; its single-use state is the credential. Forged, replayed and other
    # spaces' states are attacked in tests/api/test_analytics_api.py.
    ("GET", "/api/v1/integrations/ga4/callback"),
}
# Routes that act on the caller alone (no space or object id from the client).
SELF_ROUTES = {
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/auth/me"),
    ("POST", "/api/v1/auth/verify-email/resend"),
    ("GET", "/api/v1/spaces"),
    ("POST", "/api/v1/spaces"),
    ("GET", "/api/v1/organization/spaces"),
    ("GET", "/api/v1/audit"),
    ("PUT", "/api/v1/organization/brand-voice"),
}


def _space_routes(w: World, space: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Routes naming a space (in the path or X-Space-Id), with the space to attack."""
    return [
        ("GET", f"/api/v1/spaces/{space}/members", None),
        ("POST", f"/api/v1/spaces/{space}/members", {"email": "new@example.com", "role": "admin"}),
        ("GET", f"/api/v1/spaces/{space}/invitations", None),
        ("DELETE", f"/api/v1/spaces/{space}/invitations/{w.b_invitation_id}", None),
        ("PATCH", f"/api/v1/spaces/{space}/members/{w.bert_id}", {"role": "viewer"}),
        ("DELETE", f"/api/v1/spaces/{space}/members/{w.bert_id}", None),
        ("GET", "/api/v1/space", None),
        ("GET", "/api/v1/documents", None),
        ("POST", "/api/v1/documents", FILE),
        ("POST", "/api/v1/documents/url", {"url": "http://127.0.0.1:9/"}),
        ("GET", f"/api/v1/documents/{w.b_document_id}", None),
        ("PATCH", f"/api/v1/documents/{w.b_document_id}", {"title": "Hijacked"}),
        ("DELETE", f"/api/v1/documents/{w.b_document_id}", None),
        ("GET", f"/api/v1/documents/{w.b_document_id}/chunks", None),
        ("GET", f"/api/v1/documents/{w.b_document_id}/file", None),
        ("POST", f"/api/v1/documents/{w.b_document_id}/reindex", None),
        ("POST", f"/api/v1/documents/{w.b_document_id}/chunks/{w.b_chunk_id}/release", None),
        ("POST", "/api/v1/search", {"query": "launch plan", "document_ids": [w.b_document_id]}),
        ("GET", "/api/v1/space/brand-voice", None),
        ("PUT", "/api/v1/space/brand-voice", {"tone": "hijacked"}),
        ("GET", "/api/v1/key-facts", None),
        ("POST", "/api/v1/key-facts", {"text": "Planted fact"}),
        # A real fact id of B is attacked in tests/api/test_search_api.py (the World carries none).
        ("DELETE", "/api/v1/key-facts/{fact_id}", None),
        ("GET", "/api/v1/agents", None),
        ("PUT", "/api/v1/agents/seo", {"temperature": 1.5}),
        ("GET", "/api/v1/conversations", None),
        ("POST", "/api/v1/conversations", {"agent": "seo"}),
        # Real conversation ids of B are attacked in tests/api/test_agents_api.py.
        ("GET", "/api/v1/conversations/{conversation_id}", None),
        ("PATCH", "/api/v1/conversations/{conversation_id}", {"title": "Hijacked"}),
        ("DELETE", "/api/v1/conversations/{conversation_id}", None),
        ("GET", "/api/v1/conversations/{conversation_id}/messages", None),
        # Real run ids of B are attacked in tests/api/test_runs_api.py; over `WS /api/v1/ws` (not in OpenAPI)
        # another space, and another space's runs, are attacked in tests/api/test_runs_ws.py.
        ("POST", "/api/v1/conversations/{conversation_id}/runs", {"message": "hi"}),
        ("GET", "/api/v1/conversations/{conversation_id}/runs", None),
        ("GET", "/api/v1/runs/{run_id}", None),
        ("GET", "/api/v1/runs/{run_id}/events", None),
        ("GET", "/api/v1/runs/{run_id}/stream", None),
        ("POST", "/api/v1/runs/{run_id}/cancel", None),
        ("POST", "/api/v1/runs/{run_id}/resume", None),
        # B's runs and usage in A's dashboard: tests/api/test_dashboard_api.py.
        ("GET", "/api/v1/dashboard", None),
        ("GET", "/api/v1/content", None),
        ("POST", "/api/v1/content", {"title": "Hijacked", "type": "blog_post", "body": "Planted text."}),
        ("GET", "/api/v1/content-settings", None),
        ("PUT", "/api/v1/content-settings", {"require_supported_claims": True}),
        # Real content ids of B are attacked in test_another_spaces_content_is_404_and_unchanged below.
        *_content_routes("{content_id}"),
        ("GET", "/api/v1/integrations/slack", None),
        (
            "PUT",
            "/api/v1/integrations/slack",
            {"bot_token": "xoxb-hijack-token", "signing_secret": "ab" * 16, "channel": "#hijacked"},
        ),
        ("DELETE", "/api/v1/integrations/slack", None),
        ("GET", "/api/v1/integrations/slack/install", None),
        # B's connection used for A: tests/api/test_slack_channels_api.py.
        ("GET", "/api/v1/integrations/slack/channels", None),
        ("PUT", "/api/v1/integrations/slack/channel", {"channel": "#hijacked"}),
        ("GET", "/api/v1/integrations/ga4/connect", None),
        ("GET", "/api/v1/integrations/ga4", None),
        ("GET", "/api/v1/integrations/ga4/properties", None),
        ("PUT", "/api/v1/integrations/ga4", {"property_id": "111"}),
        ("DELETE", "/api/v1/integrations/ga4", None),
        ("POST", "/api/v1/analytics/report", {"metrics": ["sessions"]}),
    ]


def _content_routes(content_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Routes naming a content item."""
    return [
        ("GET", f"/api/v1/content/{content_id}", None),
        ("POST", f"/api/v1/content/{content_id}/versions", {"body": "Hijacked text."}),
        ("GET", f"/api/v1/content/{content_id}/versions/1", None),
        ("POST", f"/api/v1/content/{content_id}/transitions", {"action": "submit"}),
        ("POST", f"/api/v1/content/{content_id}/comments", {"body": "Hijacked"}),
        ("GET", f"/api/v1/content/{content_id}/audit-pack", None),
        ("GET", f"/api/v1/content/{content_id}/audit-pack?format=markdown", None),
        ("POST", f"/api/v1/content/{content_id}/slack-review", None),
        ("PUT", f"/api/v1/content/{content_id}/url", {"url": "https://evil.example/hijacked"}),
        ("GET", f"/api/v1/content/{content_id}/performance", None),
    ]


def _org_space_routes(space: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Organization-admin routes naming a space by id."""
    return [("PATCH", f"/api/v1/spaces/{space}", {"name": "Hijacked"}), ("DELETE", f"/api/v1/spaces/{space}", None)]


async def _call(
    client: httpx.AsyncClient, method: str, path: str, body: Any, headers: dict[str, str]
) -> httpx.Response:
    return await client.request(method, path, json=body, headers=headers)


async def test_space_routes_with_another_space_id_are_403_and_reveal_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    w = world
    for method, path, body in _space_routes(w, w.eve.space_id):
        theirs = await _call(client, method, path, body, _auth(w.ada.token, w.eve.space_id))
        unknown_space = str(uuid.uuid4())
        nowhere = await _call(
            client, method, path.replace(w.eve.space_id, unknown_space), body, _auth(w.ada.token, unknown_space)
        )
        assert theirs.status_code == 403, (method, path, theirs.text)
        assert theirs.json() == nowhere.json(), (
            "no existence oracle: B's space answers like a space that does not exist"
        )
        assert w.b_secret not in theirs.text and "Bravo" not in theirs.text
    for method, path, body in _org_space_routes(w.eve.space_id):
        theirs = await _call(client, method, path, body, _auth(w.ada.token))
        nowhere = await _call(client, method, path.replace(w.eve.space_id, str(uuid.uuid4())), body, _auth(w.ada.token))
        assert theirs.status_code == 404 and theirs.json() == nowhere.json(), (method, path, theirs.text)
    # Nothing of B changed.
    members = (await client.get(f"/api/v1/spaces/{w.eve.space_id}/members", headers=w.eve.headers())).json()
    assert {m["email"]: m["role"] for m in members} == {
        "eve@example.com": "admin",
        f"{w.b_secret}@example.com": "editor",
    }
    assert [s["name"] for s in (await client.get("/api/v1/spaces", headers=_auth(w.eve.token))).json()] == ["General"]
    await _assert_b_documents_intact(client, w)
    assert len((await client.get(f"/api/v1/spaces/{w.eve.space_id}/invitations", headers=w.eve.headers())).json()) == 1


async def test_other_space_object_ids_in_my_space_are_404(client: httpx.AsyncClient, world: World) -> None:
    w = world
    for method, path, body in _space_routes(w, w.ada.space_id):
        if not any(object_id in path for object_id in (w.bert_id, w.b_invitation_id, w.b_document_id)):
            continue
        response = await _call(client, method, path, body, w.ada.headers())
        assert response.status_code == 404, (method, path, response.text)
        assert w.b_secret not in response.text
    assert len((await client.get(f"/api/v1/spaces/{w.eve.space_id}/invitations", headers=w.eve.headers())).json()) == 1
    await _assert_b_documents_intact(client, w)


async def _assert_b_documents_intact(client: httpx.AsyncClient, w: World) -> None:
    documents = (await client.get("/api/v1/documents", headers=w.eve.headers())).json()
    assert [(d["id"], d["title"], d["status"]) for d in documents] == [(w.b_document_id, "Bravo plan", "ready")]
    file = await client.get(f"/api/v1/documents/{w.b_document_id}/file", headers=w.eve.headers())
    assert w.b_secret.encode() in file.content
    assert (await client.get("/api/v1/documents", headers=w.ada.headers())).json() == []


async def test_self_routes_show_only_my_organization(client: httpx.AsyncClient, world: World) -> None:
    w = world
    for path in ("/api/v1/auth/me", "/api/v1/spaces", "/api/v1/organization/spaces", "/api/v1/audit"):
        response = await client.get(path, headers=_auth(w.ada.token))
        assert response.status_code == 200
        assert w.b_secret not in response.text and w.eve.space_id not in response.text and "Bravo" not in response.text


async def test_another_spaces_content_is_404_and_unchanged(client: httpx.AsyncClient, world: World) -> None:
    w = world
    created = await client.post(
        "/api/v1/content",
        json={"title": "Bravo launch", "type": "email", "body": f"Subject: {w.b_secret}\n\nThe launch is in May."},
        headers=w.eve.headers(),
    )
    assert created.status_code == 201, created.text
    b_content = created.json()["id"]
    for method, path, body in _content_routes(b_content):
        response = await _call(client, method, path, body, w.ada.headers())
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "content_not_found"
        assert w.b_secret not in response.text and "Bravo" not in response.text
    listed = await client.get("/api/v1/content", headers=w.ada.headers())
    assert listed.json() == [] and listed.headers["X-Total-Count"] == "0"
    theirs = (await client.get(f"/api/v1/content/{b_content}", headers=w.eve.headers())).json()
    assert (theirs["state"], theirs["current_version"], theirs["comments"]) == ("draft", 1, [])
    assert [v["number"] for v in theirs["versions"]] == [1] and theirs["transitions"] == []


def test_every_route_is_in_the_matrix(asgi_app: Any) -> None:
    from backend.api.app import create_api

    declared = PUBLIC_ROUTES | SELF_ROUTES
    placeholders = World(None, None, "{user_id}", "{invitation_id}", "", "{document_id}", "{chunk_id}")
    attacked = {(m, p) for m, p, _ in _space_routes(placeholders, "{space_id}")}
    attacked |= {("PUT", "/api/v1/agents/{agent}")}  # attacked above as /agents/seo
    attacked |= {
        (m, p.replace("/versions/1", "/versions/{number}").split("?")[0]) for m, p, _ in _content_routes("{content_id}")
    }
    attacked |= {(m, p) for m, p, _ in _org_space_routes("{space_id}")}
    routes = {
        (method.upper(), path)
        for path, operations in create_api().openapi()["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert len(routes) >= 20, "the OpenAPI document lists the routes"
    missing = routes - declared - attacked
    assert not missing, f"routes without a declared cross-space behaviour: {sorted(missing)}"


async def test_another_space_of_my_own_organization_is_as_closed_as_another_organizations(
    client: httpx.AsyncClient, same_org_world: World
) -> None:
    """The organization wall lets Sam (admin of General, not of the organization) through; the space checks
    alone must keep him out of Bravo, exactly as they keep out a stranger."""
    w = same_org_world
    before = await client.get(f"/api/v1/spaces/{w.eve.space_id}/members", headers=w.eve.headers())
    for method, path, body in _space_routes(w, w.eve.space_id):
        theirs = await _call(client, method, path, body, _auth(w.ada.token, w.eve.space_id))
        unknown_space = str(uuid.uuid4())
        nowhere = await _call(
            client, method, path.replace(w.eve.space_id, unknown_space), body, _auth(w.ada.token, unknown_space)
        )
        assert theirs.status_code == 403, (method, path, theirs.text)
        assert theirs.json() == nowhere.json(), (method, path, "no existence oracle inside the organization")
        assert w.b_secret not in theirs.text
    for method, path, body in _org_space_routes(w.eve.space_id):
        response = await _call(client, method, path, body, _auth(w.ada.token))
        assert response.status_code == 403, (method, path, response.text)
    # Bravo's object ids named in Sam's own space are not found there.
    for method, path, body in _space_routes(w, w.ada.space_id):
        if any(object_id in path for object_id in (w.bert_id, w.b_invitation_id, w.b_document_id)):
            response = await _call(client, method, path, body, w.ada.headers())
            assert response.status_code == 404, (method, path, response.text)
            assert w.b_secret not in response.text
    after = await client.get(f"/api/v1/spaces/{w.eve.space_id}/members", headers=w.eve.headers())
    assert after.json() == before.json()
    documents = (await client.get("/api/v1/documents", headers=w.eve.headers())).json()
    assert [(d["id"], d["status"]) for d in documents] == [(w.b_document_id, "ready")]
    pending = (await client.get(f"/api/v1/spaces/{w.eve.space_id}/invitations", headers=w.eve.headers())).json()
    assert len(pending) == 1
    assert w.b_secret not in (await client.get("/api/v1/documents", headers=w.ada.headers())).text
