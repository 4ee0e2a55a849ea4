"""API tier: httpx against the real ASGI app (Reflex with the FastAPI routes mounted), no network.

Fixtures: `client` (requests run inside the test's rolled-back transaction), `signup` (a new tenant through
the sign-up route), `world` (two organizations for cross-space attacks, `world.py`). Documents are ingested
inline, inside the request that adds them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from backend.core.db import TenantScope
from backend.runs import tasks
from tests.api.world import same_org_world, world  # noqa: F401  (fixtures shared by the cross-space tests)
from tests.support.tenants import Tenant, new_tenant


@pytest.fixture(scope="session")
def asgi_app() -> Any:
    """The app's ASGI callable, built without compiling the frontend (this tier needs only the backend).

    The flag is set for this build only: the browser tier, in the same pytest run, starts an app that must
    compile.
    """
    from obelisk_app.obelisk_app import app

    with pytest.MonkeyPatch.context() as env:
        env.setenv("__REFLEX_SKIP_COMPILE", "true")
        return app()


@pytest.fixture
async def client(asgi_app: Any, db: Any, memory_backends: None) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests run inside the test's rolled-back transaction."""
    transport = httpx.ASGITransport(app=asgi_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def committed_client(asgi_app: Any, committed_db: Any, memory_backends: None) -> AsyncIterator[httpx.AsyncClient]:
    """A client over a really committing database: concurrent requests each get their own connection (the
    rolled-back `client` shares one connection, which cannot serve two requests at once)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi_app), base_url="http://testserver") as http:
        yield http


@pytest.fixture(autouse=True)
def fresh_keyring() -> Any:
    """Each test loads signing keys from its own (rolled-back) database."""
    from backend.auth.keys import set_keyring

    set_keyring(None)
    yield
    set_keyring(None)


@pytest.fixture
def signup(client: httpx.AsyncClient) -> Callable[..., Awaitable[Tenant]]:
    """`await signup("ada")` signs up an organization through the API and returns its owner (`Tenant`)."""

    async def _signup(who: str, organization: str | None = None) -> Tenant:
        return await new_tenant(who, organization, client=client)

    return _signup


@pytest.fixture(autouse=True)
def inline_ingestion(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    """Documents are ingested inside the request that adds them (no worker runs in this tier)."""
    from backend.documents import ingest
    from backend.documents.storage import LocalFileStorage, set_storage

    async def run_now(document: Any) -> None:
        from backend.core.db import TenantScope

        await ingest.run_ingestion(TenantScope(document.organization_id, document.space_id), document.id)

    set_storage(LocalFileStorage(tmp_path / "files"))
    monkeypatch.setattr(ingest, "defer_ingestion", run_now)
    yield
    set_storage(None)


@pytest.fixture
async def live(asgi_app: Any, committed_db: Any, memory_backends: None) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests really commit (for runs, jobs and other work outside the request)."""
    transport = httpx.ASGITransport(app=asgi_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=30) as http:
        yield http


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[TenantScope, uuid.UUID]]:
    """Runs are recorded instead of queued: (scope, run id) of every run started, for the test to execute."""
    runs: list[tuple[TenantScope, uuid.UUID]] = []

    async def defer(scope: TenantScope, run_id: uuid.UUID) -> None:
        runs.append((scope, run_id))

    monkeypatch.setattr(tasks, "defer_run", defer)
    return runs
