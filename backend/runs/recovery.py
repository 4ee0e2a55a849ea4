"""Runs a dead worker left behind: marked `interrupted`, never silently lost.

A run is `running` only while a worker executes it. When that worker dies, the run's job is either put
back in the queue (`jobs.queue.recover_stalled_jobs`, which sees the worker's heartbeat stop) and the
executor then finds the run still `running` and calls `interrupt_run`, or the job ends `failed`/`aborted`
and `recover_runs` (at worker start and every minute) finds it. Either way the run becomes `interrupted`
with the text it had produced so far kept as the message of a `complete` event
(`stop_reason = "interrupted"`), after an `error` event that says what happened. `service.resume_run`
queues it again; its events continue from the next sequence.

A resumed run does not answer the message twice: its next attempt calls `run_turn(..., resume=True)`,
which continues the turn from the conversation's last LangGraph checkpoint (or, when the graph had already
finished the answer, emits that answer without calling a model). The partial answer of the interrupted
attempt stays in the log before the new attempt's `status: running` event (`partial_text` reads only the
last attempt).

`recover_runs` runs at every worker start (`jobs.on_worker_start`, registered in `tasks`) and every minute.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from backend.core.db import TenantScope, get_database
from backend.runs import fanout, repository
from backend.runs.models import ACTIVE_STATUSES

logger = logging.getLogger(__name__)

TASK_NAME = "runs.execute"
INTERRUPTED = "The run was interrupted (the server restarted or its worker stopped). You can resume it."
RECENT_JOBS = "1 day"
"""How far back `recover_runs` looks for dead jobs (older ones were recovered by an earlier sweep)."""


def partial_text(events: list[Any]) -> str:
    """The tokens of the run's last attempt (those after its last `status: running` event)."""
    start = 0
    for index, event in enumerate(events):
        if event.type == "status" and event.payload.get("status") == "running":
            start = index + 1
    return "".join(str(e.payload.get("text") or "") for e in events[start:] if e.type == "token")


async def interrupt_run(
    scope: TenantScope,
    run_id: uuid.UUID,
    *,
    reason: str = INTERRUPTED,
) -> bool:
    """Mark an active run interrupted, keeping its partial answer; False when it was not active."""
    async with get_database().tenant(scope) as session:
        run = await repository.get_run(session, scope, run_id=run_id, lock=True)
        if run is None or run.status not in ACTIVE_STATUSES:
            return False
        partial = partial_text(await repository.list_events(session, scope, run_id=run_id))
        stored = await repository.append_events(
            session,
            scope,
            run_id=run_id,
            events=[
                ("error", {"message": reason, "code": "interrupted"}),
                (
                    "complete",
                    {
                        "stop_reason": "interrupted",
                        "message": partial,
                        "partial": True,
                        "citations": [],
                        "unsupported_claims": [],
                    },
                ),
            ],
        )
        run.status, run.stop_reason, run.error = "interrupted", "interrupted", reason
        run.finished_at = datetime.now(UTC)
    logger.warning("run interrupted", extra={"run_id": str(run_id), "space_id": str(scope.space_id)})
    await fanout.publish(scope, run_id, stored)
    return True


_DEAD_JOBS = text(
    "SELECT DISTINCT j.args FROM procrastinate_jobs j "
    "WHERE j.task_name = :task AND j.status IN ('failed', 'aborted', 'cancelled') "
    "AND EXISTS (SELECT 1 FROM procrastinate_events e WHERE e.job_id = j.id "
    f"AND e.at > now() - interval '{RECENT_JOBS}')"
)


async def recover_runs() -> int:
    """Interrupt the runs whose job ended without finishing them; how many were interrupted.

    The job table is not tenant data (it holds only ids), so this is the one cross-space read of the
    domain; each run is then read and changed in its own space's transaction, under row-level security.
    """
    async with get_database().session() as session:
        rows = (await session.execute(_DEAD_JOBS, {"task": TASK_NAME})).scalars().all()
    count = 0
    for args in rows:
        try:
            scope = TenantScope(uuid.UUID(args["organization_id"]), uuid.UUID(args["space_id"]))
            run_id = uuid.UUID(args["run_id"])
        except (KeyError, TypeError, ValueError):
            continue
        count += await interrupt_run(scope, run_id)
    return count


__all__ = ["INTERRUPTED", "TASK_NAME", "interrupt_run", "partial_text", "recover_runs"]
