"""The cross-space matrix: a user of space A naming space B (or B's objects) gets 403/404 and none of B's data.

Every route of the API must appear in one of the tables below; a new route fails
`test_every_route_is_in_the_matrix` until its cross-space behaviour is declared and tested here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

PUBLIC_ROUTES = {
    ("GET", "/api/v1/health"),
    ("POST", "/api/v1/auth/signup"),
    ("POST", "/api/v1/auth/token"),
    ("GET", "/api/v1/.well-known/jwks.json"),
    ("GET", "/api/v1/invitations/{token}"),
    ("POST", "/api/v1/invitations/{token}/accept"),
}
# Routes that act on the caller alone (no space or object id from the client).
SELF_ROUTES = {
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/auth/me"),
    ("GET", "/api/v1/spaces"),
    ("POST", "/api/v1/spaces"),
    ("GET", "/api/v1/organization/spaces"),
    ("GET", "/api/v1/audit"),
}


@dataclass
class World:
    ada: Any  # org A owner, admin of space A
    eve: Any  # org B owner, admin of space B
    bert_id: str  # a member of space B
    b_invitation_id: str
    b_secret: str  # text that exists only in B's data


def _auth(token: str, space_id: str | None = None) -> dict[str, str]:
    out = {"Authorization": f"Bearer {token}"}
    if space_id:
        out["X-Space-Id"] = space_id
    return out


@pytest.fixture
async def world(client: httpx.AsyncClient, signup: Any) -> World:
    ada = await signup("ada", "Alpha Org")
    eve = await signup("eve", "Bravo Org")
    secret = "bert-bravo-secret"
    invite = await client.post(
        f"/api/v1/spaces/{eve.space_id}/members",
        json={"email": f"{secret}@example.com", "role": "editor"},
        headers=eve.headers(),
    )
    bert = (
        await client.post(
            f"/api/v1/invitations/{invite.json()['invitation_token']}/accept",
            json={"name": "Bert", "password": "bert-password"},
        )
    ).json()
    await client.post(
        f"/api/v1/spaces/{eve.space_id}/members",
        json={"email": "pending-bravo@example.com", "role": "viewer"},
        headers=eve.headers(),
    )
    pending = (await client.get(f"/api/v1/spaces/{eve.space_id}/invitations", headers=eve.headers())).json()
    return World(ada, eve, bert["user_id"], pending[0]["id"], secret)


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
    assert len((await client.get(f"/api/v1/spaces/{w.eve.space_id}/invitations", headers=w.eve.headers())).json()) == 1


async def test_other_space_object_ids_in_my_space_are_404(client: httpx.AsyncClient, world: World) -> None:
    w = world
    for method, path, body in _space_routes(w, w.ada.space_id):
        if "{" in path or w.bert_id not in path and w.b_invitation_id not in path:
            continue
        response = await _call(client, method, path, body, w.ada.headers())
        assert response.status_code == 404, (method, path, response.text)
        assert w.b_secret not in response.text
    assert len((await client.get(f"/api/v1/spaces/{w.eve.space_id}/invitations", headers=w.eve.headers())).json()) == 1


async def test_self_routes_show_only_my_organization(client: httpx.AsyncClient, world: World) -> None:
    w = world
    for path in ("/api/v1/auth/me", "/api/v1/spaces", "/api/v1/organization/spaces", "/api/v1/audit"):
        response = await client.get(path, headers=_auth(w.ada.token))
        assert response.status_code == 200
        assert w.b_secret not in response.text and w.eve.space_id not in response.text and "Bravo" not in response.text


def test_every_route_is_in_the_matrix(asgi_app: Any) -> None:
    from backend.api.app import create_api

    declared = PUBLIC_ROUTES | SELF_ROUTES
    attacked = {
        (m, p) for m, p, _ in _space_routes(World(None, None, "{user_id}", "{invitation_id}", ""), "{space_id}")
    }
    attacked |= {(m, p) for m, p, _ in _org_space_routes("{space_id}")}
    routes = set()
    for route in create_api().routes:
        path = getattr(route, "path", "")
        if (
            not path.startswith("/api/v1/")
            or "{path:path}" in path
            or path.startswith("/api/v1/docs")
            or path.endswith("openapi.json")
        ):
            continue
        for method in getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}:
            routes.add((method, path))
    missing = routes - declared - attacked
    assert not missing, f"routes without a declared cross-space behaviour: {sorted(missing)}"
