"""procrastinate wiring: one app, opened on the application role's connection, a worker that can run
inside the web process or on its own, and recovery of jobs whose worker died mid-way.

A job that was running when its worker crashed stays in `doing`; the worker heartbeat stops, and
`recover_stalled_jobs` (at worker start and every minute) puts such jobs back in the queue. Tasks are
therefore written to be idempotent: a retry must not duplicate what a first attempt half did.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import procrastinate
import psycopg
import psycopg_pool
from procrastinate import JobContext

from backend.core.config import get_settings, libpq_url
from backend.core.logging import log_context

logger = logging.getLogger(__name__)

job_app = procrastinate.App(connector=procrastinate.PsycopgConnector())

_state: dict[str, Any] = {"open": False, "worker": "stopped", "since": None, "jobs_run": 0, "failed": 0}
_pool: psycopg_pool.AsyncConnectionPool | None = None


async def _autocommit(conn: psycopg.AsyncConnection[Any]) -> None:
    await conn.set_autocommit(True)


async def open_jobs(conninfo: str | None = None) -> None:
    """Open the job app on a connection pool (idempotent)."""
    global _pool
    if _state["open"]:
        return
    url = libpq_url(conninfo or get_settings().app_database_url())
    # Autocommit: procrastinate's statements are single calls of its SQL functions. In a transaction each would
    # keep the job row it locked until the pool sends COMMIT, which waits for this process's event loop: a loop
    # held up by CPU-bound work (or a synchronous call) then holds every job it touched, and a second round trip
    # per statement is spent on the COMMIT.
    # (Set once per connection, not in the pool's `kwargs`: procrastinate's listener reuses those and adds its own
    # autocommit.)
    _pool = psycopg_pool.AsyncConnectionPool(url, min_size=1, max_size=4, open=False, configure=_autocommit)
    await _pool.open(wait=True, timeout=30)
    await job_app.open_async(_pool)
    _state["open"] = True


async def close_jobs() -> None:
    global _pool
    if not _state["open"]:
        return
    await job_app.close_async()
    # procrastinate leaves a pool it was handed attached to its connector; detach it so the app can be
    # opened again on a new pool (tests and in-process restarts do this).
    connector: Any = job_app.connector
    connector._async_pool = None
    connector._pool_externally_set = False
    if _pool is not None:
        await _pool.close()
        _pool = None
    _state["open"] = False


async def _with_job_context(call_next: Callable[[], Awaitable[Any]], context: JobContext, worker: Any) -> Any:
    """Worker middleware: each job logs with its own correlation id (the one that deferred it, if given)."""
    job = context.job
    cid = str(job.task_kwargs.get("correlation_id") or f"job-{job.id}")
    space = job.task_kwargs.get("space_id")
    with log_context(correlation_id=cid, space_id=space):
        try:
            result = await call_next()
        except Exception:
            _state["failed"] += 1
            logger.exception("job failed", extra={"task": job.task_name, "job_id": job.id})
            raise
        _state["jobs_run"] += 1
        return result


async def fair_priority(task_name: str, space_id: str) -> int:
    """The priority for a new `task_name` job of `space_id` that shares the workers fairly between spaces.

    procrastinate runs the highest priority first (then the oldest). A space's k-th waiting job gets
    priority -k, so every space's first job comes before any space's second: a one-page upload in one space
    waits for at most one job per busy space, not for another space's thousands. Within a space the order
    stays first-in first-out (a new job never jumps ahead of the space's own waiting jobs). With the queue
    closed (a process that only defers inline) it is 0, procrastinate's default.
    """
    if not _state["open"] or _pool is None:
        return 0
    async with _pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(*), min(priority) FROM procrastinate_jobs"
            " WHERE task_name = %s AND args->>'space_id' = %s AND status IN ('todo', 'doing')",
            (task_name, space_id),
        )
        row = await cur.fetchone()
    waiting, lowest = (int(row[0]), row[1]) if row else (0, None)
    if not waiting or lowest is None:
        return 0
    return min(-waiting, int(lowest) - 1)


async def recover_stalled_jobs() -> int:
    """Requeue jobs whose worker stopped sending heartbeats (it crashed or was killed)."""
    manager = job_app.job_manager
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=get_settings().job_stalled_after_seconds))
    for job in stalled:
        logger.warning("requeueing stalled job", extra={"task": job.task_name, "job_id": job.id})
        await manager.retry_job(job)
    if stalled:
        await manager.prune_stalled_workers(seconds_since_heartbeat=get_settings().job_stalled_after_seconds)
    return len(stalled)


@job_app.periodic(cron="* * * * *", periodic_id="recover-stalled")
@job_app.task(name="jobs.recover_stalled", pass_context=False)
async def recover_stalled_task(timestamp: int) -> int:
    return await recover_stalled_jobs()


BULK_QUEUE = "default"
"""Document ingestion, re-indexing, sweeps: work nobody watches token by token."""
INTERACTIVE_QUEUE = "interactive"
"""Agent runs: a person is waiting for the first token. Served by workers of their own, so a bulk import
filling every bulk slot never delays a chat answer."""


_startup_hooks: list[Callable[[], Awaitable[Any]]] = []


def on_worker_start(hook: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[Any]]:
    """Register a domain's clean-up to run when a worker starts (after stalled jobs are requeued): the place
    for work a dead worker left half done, since this package cannot import the domains."""
    if hook not in _startup_hooks:
        _startup_hooks.append(hook)
    return hook


async def _run_startup_hooks() -> None:
    for hook in list(_startup_hooks):
        try:
            await hook()
        except Exception:  # one domain's failed clean-up must not keep the worker from serving the others
            logger.exception("a worker start-up hook failed", extra={"hook": getattr(hook, "__qualname__", "?")})


async def run_worker(*, in_app: bool) -> None:
    """Run the bulk and the interactive workers until cancelled (or, outside the web process, until SIGINT
    or SIGTERM, which let running jobs finish for up to ten seconds)."""
    settings = get_settings()
    await open_jobs()
    _state.update(worker="running", since=asyncio.get_running_loop().time())
    name = f"{socket.gethostname()}-{os.getpid()}"
    options: dict[str, Any] = {
        "wait": True,
        # One process runs two workers: signals are handled here once, not by each worker.
        "install_signal_handlers": False,
        "update_heartbeat_interval": max(1.0, min(5.0, settings.job_stalled_after_seconds / 6)),
        "stalled_worker_timeout": settings.job_stalled_after_seconds,
        "shutdown_graceful_timeout": 10,
        "worker_middleware": [_with_job_context],
    }

    def start_workers() -> asyncio.Future[Any]:
        return asyncio.gather(
            job_app.run_worker_async(
                name=f"{name}-bulk", queues=[BULK_QUEUE], concurrency=settings.worker_concurrency, **options
            ),
            job_app.run_worker_async(
                name=f"{name}-interactive",
                queues=[INTERACTIVE_QUEUE],
                concurrency=settings.interactive_worker_concurrency,
                **options,
            ),
        )

    workers: asyncio.Future[Any] | None = None
    if not in_app:
        main = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            if main is not None:
                loop.add_signal_handler(sig, main.cancel)
    try:
        # Work a dead worker left behind is requeued or cleaned up before this one takes any job.
        await recover_stalled_jobs()
        await _run_startup_hooks()
        workers = start_workers()
        await workers
    except asyncio.CancelledError:
        if in_app:
            raise
    finally:
        if workers is not None and not workers.done():
            workers.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await workers
        _state["worker"] = "stopped"


def worker_here() -> bool:
    """Whether this process runs a job worker now (its jobs may be executed here)."""
    return _state["worker"] == "running"


def worker_status() -> dict[str, Any]:
    return {
        "worker": _state["worker"],
        "in_process": get_settings().run_worker_in_app,
        "jobs_run": _state["jobs_run"],
        "jobs_failed": _state["failed"],
    }


async def queue_counts() -> dict[str, int]:
    """Jobs per status, read from the queue tables (any worker's jobs, not only this process's)."""
    if not _state["open"] or _pool is None:
        return {}
    async with _pool.connection() as conn:
        cur = await conn.execute("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status")
        return {status: int(count) for status, count in await cur.fetchall()}


async def live_workers() -> int:
    if not _state["open"] or _pool is None:
        return 0
    async with _pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - make_interval(secs => %s)",
            (get_settings().job_stalled_after_seconds,),
        )
        row = await cur.fetchone()
        return int(row[0]) if row else 0
