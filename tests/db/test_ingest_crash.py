"""Killing a worker in the middle of an ingestion: a new worker finishes it, with no duplicate chunks."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest

from backend.core.config import get_settings
from backend.core.db import Database
from backend.documents import service
from backend.documents.storage import set_storage
from backend.jobs import close_jobs, job_app, open_jobs
from tests.support.tenants import new_tenant
from tests.unit.documents import fixtures

ROOT = Path(__file__).resolve().parents[2]
STALLED_AFTER = 3


@pytest.fixture
async def jobs(app_db_url: str) -> AsyncIterator[None]:
    await open_jobs(app_db_url)
    yield
    await close_jobs()


def _worker(pg_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "JOB_STALLED_AFTER_SECONDS": str(STALLED_AFTER),
        "DATA_DIR": str(get_settings().data_dir),
        "LOG_LEVEL": "INFO",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "backend", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


async def _stalled(document_id: uuid.UUID) -> bool:
    jobs = await job_app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER)
    return any(job.task_kwargs.get("document_id") == str(document_id) for job in jobs)


def _document(owner_url: str, document_id: uuid.UUID) -> tuple[str, int, int, int]:
    with psycopg.connect(owner_url) as conn:
        status, chunk_count = conn.execute(
            "SELECT status, chunk_count FROM documents WHERE id = %s", (document_id,)
        ).fetchone()  # type: ignore[misc]
        rows, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT chunk_index) FROM chunks WHERE document_id = %s", (document_id,)
        ).fetchone()  # type: ignore[misc]
    return str(status), int(chunk_count), int(rows), int(distinct)


async def test_killed_worker_mid_ingestion_then_restart_ends_ready_without_duplicates(
    committed_db: Database, jobs: None, pg_url: str, memory_backends: None
) -> None:
    set_storage(None)  # the default: DATA_DIR/files, which the worker process shares
    ctx = await (await new_tenant("maintenance")).context()
    document = (await service.add_upload(ctx, data=fixtures.build_pdf(min_pages=40), filename="long.pdf")).document

    first = _worker(pg_url)
    try:
        deadline = time.monotonic() + 60
        status = "queued"
        while time.monotonic() < deadline:
            status = _document(pg_url, document.id)[0]
            if status in ("converting", "chunking", "embedding", "ready"):
                break
            await asyncio.sleep(0.05)
        assert status in ("converting", "chunking", "embedding"), f"caught the worker too late: {status}"
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # a crash: no graceful shutdown, the job stays 'doing'
        first.wait(timeout=10)
    assert _document(pg_url, document.id)[0] != "ready"

    # The dead worker's heartbeat goes stale: the job is then what the next worker requeues at start-up.
    while not await _stalled(document.id):
        await asyncio.sleep(0.2)
    second = _worker(pg_url)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and _document(pg_url, document.id)[0] != "ready":
            await asyncio.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    status, chunk_count, rows, distinct = _document(pg_url, document.id)
    assert status == "ready"
    assert chunk_count == rows == distinct > 0, "every chunk exactly once"
