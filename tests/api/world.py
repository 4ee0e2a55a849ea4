"""A two-organization world for cross-space tests: space A's admin attacks space B."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.tenants import Tenant

FILE = {"__file__": True}


@dataclass
class World:
    ada: Tenant  # org A owner, admin of space A
    eve: Tenant  # org B owner, admin of space B
    bert_id: str  # a member of space B
    b_invitation_id: str
    b_secret: str  # text that exists only in B's data
    b_document_id: str = ""
    b_chunk_id: str = ""


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
    upload = await client.post(
        "/api/v1/documents",
        files={
            "file": ("bravo-plan.md", f"# Bravo plan\n\nThe {secret} launch is in May.\n".encode(), "text/markdown")
        },
        headers=eve.headers(),
    )
    assert upload.status_code == 202, upload.text
    document_id = upload.json()["id"]
    chunks = (await client.get(f"/api/v1/documents/{document_id}/chunks", headers=eve.headers())).json()
    return World(ada, eve, bert["user_id"], pending[0]["id"], secret, document_id, chunks[0]["id"])


@pytest.fixture
async def same_org_world(client: httpx.AsyncClient, signup: Any) -> World:
    """Two spaces of ONE organization: Sam is admin of "General" only (not an organization admin), and the
    organization's second space "Bravo" holds Bert, a pending invitation and a secret document. Here the
    organization wall lets Sam through, so only the space checks stand between him and Bravo.

    `ada` is Sam (the attacker, in General); `eve` is the owner acting in Bravo."""
    olga = await signup("olga", "One Org")
    bravo = await client.post("/api/v1/spaces", json={"name": "Bravo"}, headers=olga.headers())
    assert bravo.status_code == 201, bravo.text
    b_space = bravo.json()["id"]

    async def join(space: str, who: str, role: str) -> dict[str, Any]:
        invite = await client.post(
            f"/api/v1/spaces/{space}/members",
            json={"email": f"{who}@example.com", "role": role},
            headers=olga.headers(space),
        )
        assert invite.status_code == 201, invite.text
        accepted = await client.post(
            f"/api/v1/invitations/{invite.json()['invitation_token']}/accept",
            json={"name": who.title(), "password": f"{who}-correct-horse"},
        )
        assert accepted.status_code == 200, accepted.text
        return dict(accepted.json())

    secret = "bert-same-org-secret"
    sam_body = await join(olga.space_id, "sam", "admin")
    bert = await join(b_space, secret, "editor")
    await client.post(
        f"/api/v1/spaces/{b_space}/members",
        json={"email": "pending-bravo@example.com", "role": "viewer"},
        headers=olga.headers(b_space),
    )
    pending = (await client.get(f"/api/v1/spaces/{b_space}/invitations", headers=olga.headers(b_space))).json()
    upload = await client.post(
        "/api/v1/documents",
        files={
            "file": ("bravo-plan.md", f"# Bravo plan\n\nThe {secret} launch is in May.\n".encode(), "text/markdown")
        },
        headers=olga.headers(b_space),
    )
    assert upload.status_code == 202, upload.text
    document_id = upload.json()["id"]
    chunks = (await client.get(f"/api/v1/documents/{document_id}/chunks", headers=olga.headers(b_space))).json()
    sam = Tenant(
        email="sam@example.com",
        password="sam-correct-horse",
        token=sam_body["access_token"],
        user_id=sam_body["user_id"],
        organization_id=olga.organization_id,
        space_id=olga.space_id,
        body=sam_body,
    )
    owner_in_bravo = Tenant(**{**olga.__dict__, "space_id": b_space})
    return World(sam, owner_in_bravo, bert["user_id"], pending[0]["id"], secret, document_id, chunks[0]["id"])
