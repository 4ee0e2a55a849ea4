"""One space's bulk import does not hold back another space's upload, and a chat run never waits behind it.

The queue is the real procrastinate queue on PostgreSQL and the worker the real worker: documents are
uploaded through the documents service (which defers their ingestion) and a worker with one slot ingests
them. The order the worker finished them in is read from procrastinate's own event log.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest

from backend.core.config import get_settings
from backend.core.db import Database
from backend.documents import service
from backend.documents.storage import LocalFileStorage, set_storage
from backend.jobs import close_jobs, job_app, open_jobs
from backend.jobs.queue import BULK_QUEUE, INTERACTIVE_QUEUE, run_worker
from backend.runs import tasks as run_tasks
from backend.tenancy.context import SpaceContext
from tests.support.sql import run_sql
from tests.support.tenants import new_tenant

BULK = 8


@pytest.fixture
async def jobs(app_db_url: str, pg_url: str, tmp_path: Path) -> AsyncIterator[str]:
    set_storage(LocalFileStorage(tmp_path / "files"))
    await open_jobs(app_db_url)
    try:
        yield pg_url
    finally:
        await close_jobs()
        set_storage(None)
        await run_sql(pg_url, "DELETE FROM procrastinate_jobs")


async def _upload(ctx: SpaceContext, name: str) -> uuid.UUID:
    text = f"# {name}\n\nA short note about {name} for the campaign plan, kept in the library.\n"
    return (await service.add_upload(ctx, data=text.encode(), filename=f"{name}.md")).document.id


def _waiting_order(owner_url: str) -> list[str]:
    """Document ids of waiting ingestion jobs, in the order a worker will take them."""
    with psycopg.connect(owner_url) as conn:
        rows = conn.execute(
            "SELECT args->>'document_id' FROM procrastinate_jobs WHERE task_name = 'documents.ingest'"
            " AND status = 'todo' ORDER BY priority DESC, id"
        ).fetchall()
    return [str(r[0]) for r in rows]


def _finished_order(owner_url: str) -> list[str]:
    with psycopg.connect(owner_url) as conn:
        rows = conn.execute(
            "SELECT j.args->>'document_id' FROM procrastinate_events e JOIN procrastinate_jobs j ON j.id = e.job_id"
            " WHERE e.type = 'succeeded' AND j.task_name = 'documents.ingest' ORDER BY e.at, e.id"
        ).fetchall()
    return [str(r[0]) for r in rows]


async def test_a_small_upload_is_ingested_next_while_another_space_imports_in_bulk(
    committed_db: Database, memory_backends: None, jobs: str
) -> None:
    importer = await (await new_tenant("importer", "Bulk Co")).context()
    other = await (await new_tenant("writer", "Small Co")).context()
    bulk = [await _upload(importer, f"catalogue-{i}") for i in range(BULK)]
    single = await _upload(other, "launch-brief")

    waiting = _waiting_order(jobs)
    assert waiting[:2] == [str(bulk[0]), str(single)], "the other space's upload waits for one job, not eight"
    assert waiting[2:] == [str(d) for d in bulk[1:]], "the import keeps its own order"

    await job_app.run_worker_async(wait=False, install_signal_handlers=False, queues=[BULK_QUEUE], concurrency=1)
    finished = _finished_order(jobs)
    assert finished.index(str(single)) == 1 and len(finished) == BULK + 1
    assert (await service.get_document(other, single)).status == "ready"
    assert {(await service.get_document(importer, d)).status for d in bulk} == {"ready"}


async def test_a_space_adding_to_its_own_queue_stays_behind_its_earlier_uploads_and_shares_with_others(
    committed_db: Database, memory_backends: None, jobs: str
) -> None:
    first = await (await new_tenant("first", "First Co")).context()
    second = await (await new_tenant("second", "Second Co")).context()
    early = [await _upload(first, f"early-{i}") for i in range(3)]
    late = await _upload(first, "late")
    others = [await _upload(second, f"brief-{i}") for i in range(2)]

    # Round robin between the spaces, first-in first-out inside each.
    expected = [early[0], others[0], early[1], others[1], early[2], late]
    assert _waiting_order(jobs) == [str(d) for d in expected]


_release = asyncio.Event()
_started = asyncio.Event()
_answered = asyncio.Event()


@job_app.task(name="tests.long_import", queue=BULK_QUEUE)
async def long_import() -> None:
    _started.set()
    await _release.wait()


@job_app.task(name="tests.chat_turn", queue=INTERACTIVE_QUEUE)
async def chat_turn() -> None:
    _answered.set()


async def test_an_interactive_job_runs_while_every_bulk_slot_is_busy(
    committed_db: Database, memory_backends: None, jobs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKER_CONCURRENCY", "1")
    get_settings.cache_clear()
    for event in (_release, _started, _answered):
        event.clear()
    worker = asyncio.create_task(run_worker(in_app=True))
    try:
        await long_import.defer_async()
        await long_import.defer_async()  # waits: the only bulk slot is taken
        await asyncio.wait_for(_started.wait(), 60)
        await chat_turn.defer_async()
        await asyncio.wait_for(_answered.wait(), 60)
        assert not _release.is_set()
        with psycopg.connect(jobs) as conn:
            waiting = conn.execute(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'tests.long_import' AND status = 'todo'"
            ).fetchone()
        assert waiting is not None and waiting[0] == 1, "the chat turn ran while the import still held its slot"
    finally:
        _release.set()
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        get_settings.cache_clear()


async def test_agent_runs_are_deferred_to_the_interactive_queue(
    committed_db: Database, memory_backends: None, jobs: str
) -> None:
    ctx = await (await new_tenant("chatter")).context()
    run_id = uuid.uuid4()
    await run_tasks.defer_run(ctx.scope, run_id)
    with psycopg.connect(jobs) as conn:
        row = conn.execute(
            "SELECT queue_name FROM procrastinate_jobs WHERE args->>'run_id' = %s", (str(run_id),)
        ).fetchone()
    assert row is not None and row[0] == INTERACTIVE_QUEUE
