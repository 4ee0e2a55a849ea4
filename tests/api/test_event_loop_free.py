"""CPU-heavy work of an upload (detection, text sniffing, hashing) never runs on the event loop, and its
patterns are linear: while a pathological file is uploaded, the process keeps answering `GET /health`.

This is the one test with a wall-clock bound, and a loose one: the loop must never stall for a whole
second (the quadratic sniffing pattern held it for 18 s on this file; the fixed path stalls for
milliseconds). Benchmarks of the real figures live in bench/.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.support.tenants import new_tenant

MAX_STALL_SECONDS = 1.0


async def test_a_pathological_upload_does_not_freeze_the_process(
    committed_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.documents import ingest

    queued: list[Any] = []

    async def queue(document: Any) -> None:  # the upload request only queues; the worker converts
        queued.append(document.id)

    monkeypatch.setattr(ingest, "defer_ingestion", queue)
    client = committed_client
    ada = await new_tenant("ada", client=client)
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    stalls: list[float] = []
    health: list[int] = []

    async def tick() -> None:
        last = loop.time()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = loop.time()
            stalls.append(now - last)
            last = now

    async def probe() -> None:
        while not done.is_set():
            health.append((await client.get("/api/v1/health")).status_code)

    async def upload() -> httpx.Response:
        try:
            files = {"file": ("notes", b"[" * 65536, "application/octet-stream")}  # no extension: sniffed
            return await client.post("/api/v1/documents", files=files, headers=ada.headers())
        finally:
            done.set()

    response, *_ = await asyncio.gather(upload(), tick(), probe())
    assert response.status_code == 202, response.text
    assert queued == [response.json()["id"]] or [str(q) for q in queued] == [response.json()["id"]]
    assert health and set(health) == {200}
    assert max(stalls) < MAX_STALL_SECONDS, f"the event loop stalled for {max(stalls):.1f} s"
