"""CPU-heavy work of an upload (detection, text sniffing, hashing) never runs on the event loop, and its
patterns are linear: while a pathological file is uploaded, the process keeps answering `GET /health`.
Converting it (the worker's part) does not hold the process either: Markdown converts in a child process.

These are the tests with a wall-clock bound, and a loose one: the loop must never stall for a whole
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


async def test_converting_a_pathological_markdown_file_does_not_freeze_the_process(
    committed_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upload is converted inline here (as the in-app worker would, in this process). The Markdown parser
    held the GIL for 18 s on this file in a worker thread; in its child process the loop keeps ticking, and
    the conversion is stopped at its time limit with a reason the library shows."""
    from backend.core.config import get_settings
    from backend.documents.conversion import isolated

    monkeypatch.setattr(get_settings(), "conversion_timeout_seconds", 3.0)
    client = committed_client
    ada = await new_tenant("ada", client=client)
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    stalls: list[float] = []

    async def tick() -> None:
        last = loop.time()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = loop.time()
            stalls.append(now - last)
            last = now

    async def upload() -> httpx.Response:
        try:
            files = {"file": ("notes.md", b"_a" * 32768, "text/markdown")}
            return await client.post("/api/v1/documents", files=files, headers=ada.headers())
        finally:
            done.set()

    try:
        response, _ = await asyncio.gather(upload(), tick())
    finally:
        isolated.shutdown()
    assert response.status_code == 202, response.text
    document = (await client.get(f"/api/v1/documents/{response.json()['id']}", headers=ada.headers())).json()
    assert max(stalls) < MAX_STALL_SECONDS, f"the event loop stalled for {max(stalls):.1f} s"
    assert document["status"] == "failed" and "took longer than 3 seconds" in document["error"], document
