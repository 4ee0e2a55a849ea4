"""Usage and budgets through the API, with the real accounting (the other api tests count usage without
writing it): an upload and a search are booked to their space, and a space over its monthly token budget
gets a 429 for a new run instead of a queued run that fails later."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import text

from backend.core.db import TenantScope, get_database
from backend.models.accounting import DatabaseUsageStore
from tests.support.tenants import new_tenant
from tests.unit.documents import fixtures


async def _usage(scope: TenantScope) -> dict[str, int]:
    """Calls booked to the space, by role (main, fast, embedding)."""
    async with get_database().tenant(scope) as session:
        rows = await session.execute(text("SELECT role, count(*) FROM model_usage GROUP BY role"))
        return {role: int(n) for role, n in rows}


async def test_an_upload_and_a_search_are_booked_to_their_space(live: httpx.AsyncClient) -> None:
    ada = await new_tenant("ada", client=live)
    eve = await new_tenant("eve", client=live)
    scope = TenantScope(uuid.UUID(ada.organization_id), uuid.UUID(ada.space_id))
    other = TenantScope(uuid.UUID(eve.organization_id), uuid.UUID(eve.space_id))
    upload = await live.post(
        "/api/v1/documents",
        files={"file": ("guide.md", fixtures.build_markdown(), "text/markdown")},
        headers=ada.headers(),
    )
    assert upload.status_code == 202, upload.text
    after_upload = await _usage(scope)
    assert after_upload.get("embedding", 0) >= 1, after_upload
    search = await live.post("/api/v1/search", json={"query": "brand voice rules"}, headers=ada.headers())
    assert search.status_code == 200, search.text
    after_search = await _usage(scope)
    assert sum(after_search.values()) > sum(after_upload.values()), "the search's embedding is booked too"
    assert await _usage(other) == {}, "nothing is booked to another space"


async def test_a_space_over_its_budget_gets_429_for_a_new_run(live: httpx.AsyncClient, queued: list[Any]) -> None:
    ada = await new_tenant("ada", client=live)
    scope = TenantScope(uuid.UUID(ada.organization_id), uuid.UUID(ada.space_id))
    conversation = (await live.post("/api/v1/conversations", json={"agent": "seo"}, headers=ada.headers())).json()
    store = DatabaseUsageStore()
    await store.set_monthly_limit(scope, 0)
    refused = await live.post(
        f"/api/v1/conversations/{conversation['id']}/runs", json={"message": "Write a title"}, headers=ada.headers()
    )
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "token_budget_exceeded"
    assert "budget" in refused.json()["error"]["message"]
    assert queued == [], "no run is queued"
    runs = await live.get(f"/api/v1/conversations/{conversation['id']}/runs", headers=ada.headers())
    assert runs.json() == []
    await store.set_monthly_limit(scope, None)
    accepted = await live.post(
        f"/api/v1/conversations/{conversation['id']}/runs", json={"message": "Write a title"}, headers=ada.headers()
    )
    assert accepted.status_code == 202, accepted.text
