"""API tier: httpx against the real ASGI app (Reflex with the FastAPI routes mounted), no network."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

os.environ["__REFLEX_SKIP_COMPILE"] = "true"


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
