"""Spaces and members through the API: who may do what, and what each action changes."""

from __future__ import annotations

from typing import Any

import httpx

from backend.core.config import get_settings
from tests.support.tenants import auth_headers as _auth


async def _invite_and_accept(
    client: httpx.AsyncClient, admin: Any, space_id: str, who: str, role: str
) -> dict[str, Any]:
    invite = await client.post(
        f"/api/v1/spaces/{space_id}/members",
        json={"email": f"{who}@example.com", "role": role},
        headers=admin.headers(space_id),
    )
    assert invite.status_code == 201, invite.text
    body = invite.json()
    assert body["status"] == "invited" and body["invitation_url"].endswith(body["invitation_token"])
    accepted = await client.post(
        f"/api/v1/invitations/{body['invitation_token']}/accept",
        json={"name": who.title(), "password": f"{who}-password"},
    )
    assert accepted.status_code == 200, accepted.text
    return accepted.json()


async def test_org_admin_creates_renames_and_archives_spaces(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    created = await client.post("/api/v1/spaces", json={"name": "EMEA Campaigns"}, headers=_auth(ada.token))
    assert created.status_code == 201
    space = created.json()
    spaces = (await client.get("/api/v1/spaces", headers=_auth(ada.token))).json()
    assert {s["name"] for s in spaces} == {"General", "EMEA Campaigns"}
    renamed = await client.patch(f"/api/v1/spaces/{space['id']}", json={"name": "EMEA"}, headers=_auth(ada.token))
    assert renamed.json()["name"] == "EMEA"
    assert (await client.get("/api/v1/space", headers=_auth(ada.token, space["id"]))).json()["name"] == "EMEA"
    assert (await client.delete(f"/api/v1/spaces/{space['id']}", headers=_auth(ada.token))).status_code == 204
    spaces = (await client.get("/api/v1/spaces", headers=_auth(ada.token))).json()
    assert [s["name"] for s in spaces] == ["General"]
    gone = await client.get("/api/v1/space", headers=_auth(ada.token, space["id"]))
    assert gone.status_code == 403, "an archived space is closed at once"
    last = await client.delete(f"/api/v1/spaces/{ada.space_id}", headers=_auth(ada.token))
    assert last.status_code == 409 and last.json()["error"]["code"] == "last_space"
    actions = [e["action"] for e in (await client.get("/api/v1/audit", headers=_auth(ada.token))).json()]
    assert {"space.created", "space.renamed", "space.archived", "organization.created"} <= set(actions)


async def test_invitation_flow_roles_and_removal(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    bob = await _invite_and_accept(client, ada, ada.space_id, "bob", "viewer")
    members = (await client.get(f"/api/v1/spaces/{ada.space_id}/members", headers=ada.headers())).json()
    assert {(m["email"], m["role"]) for m in members} == {("ada@example.com", "admin"), ("bob@example.com", "viewer")}
    # A viewer can read but not manage.
    bob_headers = _auth(bob["access_token"], ada.space_id)
    assert (await client.get(f"/api/v1/spaces/{ada.space_id}/members", headers=bob_headers)).status_code == 200
    denied = await client.post(
        f"/api/v1/spaces/{ada.space_id}/members", json={"email": "x@example.com", "role": "admin"}, headers=bob_headers
    )
    assert denied.status_code == 403
    assert (await client.post("/api/v1/spaces", json={"name": "Mine"}, headers=bob_headers)).status_code == 403
    assert (await client.get("/api/v1/audit", headers=bob_headers)).status_code == 403
    # Promotion keeps Bob's token working; demotion retires it at once.
    promoted = await client.patch(
        f"/api/v1/spaces/{ada.space_id}/members/{bob['user_id']}", json={"role": "admin"}, headers=ada.headers()
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "admin"
    assert (await client.get("/api/v1/space", headers=bob_headers)).json()["role"] == "admin"
    demoted = await client.patch(
        f"/api/v1/spaces/{ada.space_id}/members/{bob['user_id']}", json={"role": "editor"}, headers=ada.headers()
    )
    assert demoted.status_code == 200
    assert (await client.get("/api/v1/space", headers=bob_headers)).status_code == 401
    relogin = await client.post("/api/v1/auth/token", json={"email": "bob@example.com", "password": "bob-password"})
    assert (await client.get("/api/v1/space", headers=_auth(relogin.json()["access_token"], ada.space_id))).json()[
        "role"
    ] == "editor"
    # The last admin cannot be demoted or removed.
    last = await client.patch(
        f"/api/v1/spaces/{ada.space_id}/members/{ada.user_id}", json={"role": "viewer"}, headers=ada.headers()
    )
    assert last.status_code == 409 and last.json()["error"]["code"] == "last_admin"
    assert (
        await client.delete(f"/api/v1/spaces/{ada.space_id}/members/{bob['user_id']}", headers=ada.headers())
    ).status_code == 204
    actions = [e["action"] for e in (await client.get("/api/v1/audit", headers=_auth(ada.token))).json()]
    assert {"member.invited", "member.joined", "member.role_changed", "member.removed"} <= set(actions)


async def test_invitation_links_work_once_and_can_be_withdrawn(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    first = (
        await client.post(
            f"/api/v1/spaces/{ada.space_id}/members",
            json={"email": "c@example.com", "role": "editor"},
            headers=ada.headers(),
        )
    ).json()
    described = await client.get(f"/api/v1/invitations/{first['invitation_token']}")
    assert described.json()["email"] == "c@example.com"
    ok = await client.post(
        f"/api/v1/invitations/{first['invitation_token']}/accept", json={"name": "C", "password": "c-password-1"}
    )
    assert ok.status_code == 200
    again = await client.post(
        f"/api/v1/invitations/{first['invitation_token']}/accept", json={"name": "C", "password": "c-password-1"}
    )
    assert again.status_code == 410
    bogus = await client.post(
        "/api/v1/invitations/not-a-real-token/accept", json={"name": "X", "password": "x-password-1"}
    )
    assert bogus.status_code == 404 and bogus.json()["error"]["code"] == "invitation_not_found"
    second = (
        await client.post(
            f"/api/v1/spaces/{ada.space_id}/members",
            json={"email": "d@example.com", "role": "viewer"},
            headers=ada.headers(),
        )
    ).json()
    pending = (await client.get(f"/api/v1/spaces/{ada.space_id}/invitations", headers=ada.headers())).json()
    assert [p["email"] for p in pending] == ["d@example.com"]
    assert (
        await client.delete(f"/api/v1/spaces/{ada.space_id}/invitations/{pending[0]['id']}", headers=ada.headers())
    ).status_code == 204
    withdrawn = await client.post(
        f"/api/v1/invitations/{second['invitation_token']}/accept", json={"name": "D", "password": "d-password-1"}
    )
    assert withdrawn.status_code == 410


async def test_inviting_someone_already_in_the_organization_adds_them(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    bob = await _invite_and_accept(client, ada, ada.space_id, "bob", "editor")
    second = (await client.post("/api/v1/spaces", json={"name": "Second"}, headers=_auth(ada.token))).json()
    added = await client.post(
        f"/api/v1/spaces/{second['id']}/members",
        json={"email": "bob@example.com", "role": "viewer"},
        headers=_auth(ada.token, second["id"]),
    )
    assert added.status_code == 201 and added.json()["status"] == "added" and added.json()["invitation_token"] is None
    spaces = (await client.get("/api/v1/spaces", headers=_auth(bob["access_token"]))).json()
    assert {s["name"]: s["role"] for s in spaces} == {"General": "editor", "Second": "viewer"}
    dup = await client.post(
        f"/api/v1/spaces/{second['id']}/members",
        json={"email": "bob@example.com", "role": "viewer"},
        headers=_auth(ada.token, second["id"]),
    )
    assert dup.status_code == 409


async def test_tenant_route_without_x_space_id_is_400(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    response = await client.get("/api/v1/space", headers=_auth(ada.token))
    assert response.status_code == 400 and response.json()["error"]["code"] == "space_id_required"
    mismatch = await client.get(
        f"/api/v1/spaces/{ada.space_id}/members", headers=_auth(ada.token, "00000000-0000-0000-0000-000000000000")
    )
    assert mismatch.status_code == 400


async def test_accepting_an_invitation_for_an_existing_account_is_throttled_like_log_in(
    client: httpx.AsyncClient, signup: Any
) -> None:
    """Whoever holds a pending link for someone who already has an account could otherwise try their
    passwords without limit."""
    ada = await signup("ada")
    second = (await client.post("/api/v1/spaces", json={"name": "Second"}, headers=_auth(ada.token))).json()
    pending = await client.post(
        f"/api/v1/spaces/{second['id']}/members",
        json={"email": "bob@example.com", "role": "viewer"},
        headers=ada.headers(second["id"]),
    )
    link = pending.json()["invitation_token"]
    await _invite_and_accept(client, ada, ada.space_id, "bob", "editor")  # Bob now has an account
    guess = {"name": "Bob", "password": "not-bobs-password"}
    answers = [(await client.post(f"/api/v1/invitations/{link}/accept", json=guess)) for _ in range(8)]
    limit = get_settings().login_max_failures
    assert [a.status_code for a in answers[:limit]] == [422] * limit
    assert {a.status_code for a in answers[limit:]} == {429}
    assert answers[-1].json()["error"]["code"] == "too_many_login_attempts"


async def test_an_invitation_does_not_tell_the_admin_who_has_an_account_elsewhere(
    client: httpx.AsyncClient, signup: Any
) -> None:
    """Inviting an address that has an account in another organization looks exactly like inviting one that
    has none: same status, same fields, same invitation page; only the organization's own people are added
    at once (they are visible to its admins anyway)."""
    ada = await signup("ada")
    await signup("vera")  # vera@example.com has an account, in her own organization

    async def invite(email: str) -> dict[str, Any]:
        response = await client.post(
            f"/api/v1/spaces/{ada.space_id}/members", json={"email": email, "role": "editor"}, headers=ada.headers()
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    taken, fresh = await invite("vera@example.com"), await invite("nobody@example.com")
    assert set(taken) == set(fresh) and taken["status"] == fresh["status"] == "invited"
    assert taken["emailed"] == fresh["emailed"]
    pages = [
        (await client.get(f"/api/v1/invitations/{body['invitation_token']}")).json() for body in (taken, fresh)
    ]
    assert set(pages[0]) == set(pages[1]) and "account" not in str(pages[0]).lower()
