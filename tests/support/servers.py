"""A real HTTP server on 127.0.0.1 for tests: any ASGI app, served by uvicorn in a daemon thread."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext
from typing import Any

import uvicorn


def free_port() -> int:
    """A TCP port nothing listens on right now (for a process that must be told its port up front)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_in_thread(app: Any, *, timeout: float = 10) -> Iterator[str]:
    """Serve `app` on a free 127.0.0.1 port for the block; yields its base URL (`http://127.0.0.1:<port>`).

    The socket is bound before the server starts, so the port cannot be taken in between.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the test server for {app!r} did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


class _LoopServer(uvicorn.Server):
    def capture_signals(self) -> Any:
        return nullcontext()  # the test runner owns the signals


@asynccontextmanager
async def serve_here(app: Any, *, timeout: float = 10) -> AsyncIterator[str]:
    """Serve `app` on a free 127.0.0.1 port from the running event loop; yields its base URL.

    For an app that must share the test's event loop (its database engine and in-process broker are bound
    to it): a real server on a real socket, HTTP and WebSocket, driven by the test's own loop.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _LoopServer(
        uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False, timeout_graceful_shutdown=5)
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    started = asyncio.get_running_loop().time()
    while not server.started:
        if serving.done() or asyncio.get_running_loop().time() - started > timeout:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the test server for {app!r} did not start")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
        sock.close()
