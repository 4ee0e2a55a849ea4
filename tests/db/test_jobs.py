"""The durable job queue: a job whose worker died mid-way is retried, not forgotten."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import psycopg
import pytest

from backend.jobs import close_jobs, job_app, open_jobs
from backend.jobs.queue import recover_stalled_jobs
from tests.support.sql import run_sql

calls: list[int] = []


@job_app.task(name="tests.record", retry=2)
async def record(value: int) -> None:
    calls.append(value)


@pytest.fixture
async def jobs(app_db_url: str) -> AsyncIterator[None]:
    await open_jobs(app_db_url)
    yield
    await close_jobs()


def _status(app_db_url: str, job_id: int) -> str:
    with psycopg.connect(app_db_url) as conn:
        row = conn.execute("SELECT status::text FROM procrastinate_jobs WHERE id = %s", (job_id,)).fetchone()
        assert row is not None
        return str(row[0])


async def test_deferred_job_runs_on_a_worker(jobs: None, app_db_url: str) -> None:
    calls.clear()
    job_id = await record.defer_async(value=7)
    await job_app.run_worker_async(wait=False, install_signal_handlers=False, queues=["default"])
    assert calls == [7]
    assert _status(app_db_url, job_id) == "succeeded"


async def test_job_of_a_crashed_worker_is_requeued_and_completed(jobs: None, app_db_url: str) -> None:
    calls.clear()
    job_id = await record.defer_async(value=11)
    # Simulate a worker that fetched the job and then died: the job is 'doing', its worker's last
    # heartbeat is old, and nothing will ever finish it.
    [(worker_id,)] = await run_sql(
        app_db_url,
        "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '10 minutes') RETURNING id",
    )
    await run_sql(
        app_db_url, "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s", (worker_id, job_id)
    )
    assert _status(app_db_url, job_id) == "doing"
    assert await recover_stalled_jobs() >= 1
    assert _status(app_db_url, job_id) == "todo"
    await job_app.run_worker_async(wait=False, install_signal_handlers=False, queues=["default"])
    await asyncio.sleep(0)
    assert calls == [11]
    assert _status(app_db_url, job_id) == "succeeded"



async def test_a_job_statement_commits_without_waiting_for_the_event_loop(jobs: None) -> None:
    """The queue's connections are in autocommit: a statement (a job fetched, a job finished) commits on the
    server. In a transaction the job rows it locked would stay locked until the pool's COMMIT, which waits for
    this process's event loop; a loop held up by CPU-bound work would hold them (and any writer waits)."""
    from backend.jobs import queue

    assert queue._pool is not None
    async with queue._pool.connection() as conn:
        await conn.execute("SELECT count(*) FROM procrastinate_jobs")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
