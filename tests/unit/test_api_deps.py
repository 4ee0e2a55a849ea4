"""The request's user and space are in the log context while it runs, and gone when it ends.

httpx's ASGI transport runs the app in the test's own task, so a context variable set by a dependency and
never reset would still be set here after the request: exactly the leak into the next request that a
worker task or thread would carry.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from backend.api import deps
from backend.core.errors import BadRequest, Unauthorized
from backend.core.logging import space_id_var, user_id_var
from backend.tenancy.context import Principal, SpaceContext

USER, ORG, SPACE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


async def _authenticate(token: str | None) -> Principal:
    if token != "good":
        raise Unauthorized("Sign in first.", code="not_authenticated")
    return Principal(user_id=USER, organization_id=ORG, token_id="t", expires_at=datetime.now(UTC) + timedelta(1))


async def _resolve(principal: Principal, space_id: Any) -> SpaceContext:
    return SpaceContext(
        organization_id=ORG, space_id=uuid.UUID(str(space_id)), user_id=principal.user_id, role="viewer", space_name="S"
    )


@pytest.fixture
async def client(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setattr(deps, "authenticate", _authenticate)
    monkeypatch.setattr(deps, "resolve_space_context", _resolve)
    app = FastAPI()

    @app.get("/seen")
    async def seen(ctx: deps.Ctx) -> dict[str, str | None]:
        return {"user": user_id_var.get(), "space": space_id_var.get()}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


async def test_the_log_context_holds_the_caller_during_the_request_only(client: httpx.AsyncClient) -> None:
    response = await client.get("/seen", headers={"Authorization": "Bearer good", "X-Space-Id": str(SPACE)})
    assert response.json() == {"user": str(USER), "space": str(SPACE)}
    assert user_id_var.get() is None and space_id_var.get() is None, "the request's context leaked"


async def test_a_refused_request_leaves_no_context_either(client: httpx.AsyncClient) -> None:
    with pytest.raises(Unauthorized):
        await client.get("/seen", headers={"Authorization": "Bearer bad", "X-Space-Id": str(SPACE)})
    with pytest.raises(BadRequest):  # no X-Space-Id (this bare app has no error envelope: the error surfaces)
        await client.get("/seen", headers={"Authorization": "Bearer good"})
    assert user_id_var.get() is None and space_id_var.get() is None
