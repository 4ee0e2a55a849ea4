"""API tier: httpx against the real ASGI app (Reflex with the FastAPI routes mounted), no network."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

os.environ["__REFLEX_SKIP_COMPILE"] = "true"

from tests.api.world import world  # noqa: F401  (fixture shared by the cross-space tests)


@pytest.fixture(scope="session")
def asgi_app() -> Any:
    from obelisk_app.obelisk_app import app

    return app()


@pytest.fixture
async def client(asgi_app: Any, db: Any, memory_backends: None) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests run inside the test's rolled-back transaction."""
    transport = httpx.ASGITransport(app=asgi_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture(autouse=True)
def fresh_keyring() -> Any:
    """Each test loads signing keys from its own (rolled-back) database."""
    from backend.auth.keys import set_keyring

    set_keyring(None)
    yield
    set_keyring(None)


class Account:
    """A signed-up user as the API tests see them."""

    def __init__(self, body: dict[str, Any], email: str, password: str) -> None:
        self.body, self.email, self.password = body, email, password
        self.token: str = body["access_token"]
        self.space_id: str = body["space_id"]
        self.user_id: str = body["user_id"]
        self.organization_id: str = body["organization_id"]

    def headers(self, space_id: str | None = None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.token}"}
        if space_id is not None or self.space_id:
            out["X-Space-Id"] = space_id or self.space_id
        return out


@pytest.fixture
def signup(client: httpx.AsyncClient) -> Any:
    """`await signup("ada")` creates an organization with a first space and returns its owner."""

    async def _signup(who: str, organization: str | None = None) -> Account:
        email, password = f"{who}@example.com", f"{who}-correct-horse"
        response = await client.post(
            "/api/v1/auth/signup",
            json={
                "email": email,
                "password": password,
                "name": who.title(),
                "organization_name": organization or f"{who} Org",
            },
        )
        assert response.status_code == 201, response.text
        return Account(response.json(), email, password)

    return _signup


@pytest.fixture(autouse=True)
def inline_ingestion(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    """Documents are ingested inside the request that adds them (no worker runs in this tier)."""
    from backend.documents import ingest
    from backend.documents.storage import LocalFileStorage, set_storage
    from backend.models.accounting import counted

    async def run_now(document: Any) -> None:
        from backend.core.db import TenantScope

        await ingest.run_ingestion(TenantScope(document.organization_id, document.space_id), document.id)

    set_storage(LocalFileStorage(tmp_path / "files"))
    monkeypatch.setattr(ingest, "defer_ingestion", run_now)
    monkeypatch.setattr(ingest, "metered", counted)
    yield
    set_storage(None)
