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
