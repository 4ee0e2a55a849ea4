"""HTTP clients for remote providers: HTTP/2, pooled, kept open between calls.

An httpx.AsyncClient belongs to the event loop it first connected on; reusing it from another loop (a test
session, a worker started with asyncio.run) fails in obscure ways. `LoopBoundClient` keeps one client per loop.
"""

from __future__ import annotations

import asyncio
import importlib.util
import weakref
from typing import Any

import httpx

HTTP2 = importlib.util.find_spec("h2") is not None
"""HTTP/2 needs the `h2` package; without it httpx speaks HTTP/1.1 (and with cleartext URLs it always does)."""


def new_async_client(timeout: float, **kwargs: Any) -> httpx.AsyncClient:
    """A pooled async client; HTTP/2 is negotiated with TLS servers (cleartext URLs stay on HTTP/1.1)."""
    return httpx.AsyncClient(
        http2=HTTP2,
        timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=16, keepalive_expiry=120.0),
        **kwargs,
    )


def new_sync_client(timeout: float, **kwargs: Any) -> httpx.Client:
    """The blocking counterpart of `new_async_client`."""
    return httpx.Client(
        http2=HTTP2,
        timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
        limits=httpx.Limits(max_connections=16, max_keepalive_connections=8, keepalive_expiry=120.0),
        **kwargs,
    )


class LoopBoundClient:
    """One `httpx.AsyncClient` per running event loop, created on first use."""

    def __init__(self, timeout: float, **kwargs: Any) -> None:
        self._timeout = timeout
        self._kwargs = kwargs
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )

    def get(self) -> httpx.AsyncClient:
        """The client of the current event loop."""
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None or client.is_closed:
            client = new_async_client(self._timeout, **self._kwargs)
            self._clients[loop] = client
        return client

    async def aclose(self) -> None:
        """Close the current loop's client (the others close with their loops)."""
        loop = asyncio.get_running_loop()
        client = self._clients.pop(loop, None)
        if client is not None:
            await client.aclose()


__all__ = ["HTTP2", "LoopBoundClient", "new_async_client", "new_sync_client"]
