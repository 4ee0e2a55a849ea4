"""Durable jobs of the runs domain: executing a run, and the sweep for runs a dead worker left behind.

A run's job is locked per run (procrastinate `lock`), so two attempts never execute it at once, and the
executor is idempotent: a retried job for a finished run does nothing, and one for a run its dead worker left
`running` marks it interrupted (see `recovery`). Failures inside a run end the run (`failed`), not the job,
so the job is never retried for an error the run already reported.
"""

from __future__ import annotations

import logging
import uuid

from procrastinate.exceptions import AlreadyEnqueued

from backend.core.db import TenantScope
from backend.core.logging import correlation_id_var
from backend.jobs import job_app, on_worker_start
from backend.jobs.queue import INTERACTIVE_QUEUE, fair_priority
from backend.runs import executor, recovery, retention

logger = logging.getLogger(__name__)


async def defer_run(scope: TenantScope, run_id: uuid.UUID) -> None:
    """Queue the run's execution (a run already waiting in the queue is not queued twice).

    Runs go to the interactive queue (workers of their own), shared fairly between spaces.
    """
    priority = await fair_priority(recovery.TASK_NAME, str(scope.space_id))
    try:
        await execute_run_task.configure(
            lock=f"run:{run_id}", queueing_lock=f"run:{run_id}", priority=priority
        ).defer_async(
            run_id=str(run_id),
            organization_id=str(scope.organization_id),
            space_id=str(scope.space_id),
            correlation_id=correlation_id_var.get(),
        )
    except AlreadyEnqueued:
        logger.info("run already queued", extra={"run_id": str(run_id)})


@job_app.task(name=recovery.TASK_NAME, queue=INTERACTIVE_QUEUE, pass_context=False)
async def execute_run_task(
    *, run_id: str, organization_id: str, space_id: str, correlation_id: str | None = None
) -> str | None:
    scope = TenantScope(uuid.UUID(organization_id), uuid.UUID(space_id))
    return await executor.execute_run(scope, uuid.UUID(run_id))


@job_app.periodic(cron="* * * * *", periodic_id="runs-recover")
@job_app.task(name="runs.recover", pass_context=False, queueing_lock="runs-recover")
async def recover_runs_task(timestamp: int) -> int:
    """Every minute: interrupt runs whose job died without finishing them."""
    return await recovery.recover_runs()


@job_app.periodic(cron="17 * * * *", periodic_id="runs-compact")
@job_app.task(name="runs.compact", pass_context=False, queueing_lock="runs-compact")
async def compact_runs_task(timestamp: int) -> int:
    """Every hour: fold the token events of finished runs older than RUN_EVENTS_RETENTION_DAYS."""
    return await retention.compact_runs()


# At every worker start: runs whose job died while no worker was watching are marked interrupted at once
# (their partial answers kept), instead of waiting for the first periodic sweep.
on_worker_start(recovery.recover_runs)

__all__ = ["compact_runs_task", "defer_run", "execute_run_task", "recover_runs_task"]
