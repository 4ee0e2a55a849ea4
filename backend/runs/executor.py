"""Executes one run: graph → events → log → fan-out. The only module that knows both sides.

`execute_run(scope, run_id)` claims a queued run (status `running`, a `status` event, in one transaction
holding the run's row lock, so two workers never execute the same run), drives the conversation's turn with
`run_turn`, and sends every event through the token coalescer to the event log and the broker. The graph's
`complete` event is held back and written together with the run's final status in one transaction, so a
follower that sees `complete` also sees the run finished.

Stop: `cancel_run` sets the run's `cancel_requested` flag. A watcher reads it every `STOP_POLL_SECONDS`
(200 ms) and raises the in-memory flag that the graph checks between tokens and steps; the graph then ends
with `stop_reason = "cancelled"` and the text written so far. A graph that does not get to a check within
`STOP_GRACE_SECONDS` (a model call that has not produced its first token yet) is cancelled outright and the
executor writes the `complete` event itself, so Stop acts within a second either way. A stopped run keeps
its LangGraph checkpoints.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from backend.agents.runner import run_turn
from backend.core.cache import Broker
from backend.core.db import Database, TenantScope, get_database
from backend.core.errors import AppError
from backend.core.logging import log_context
from backend.runs import fanout, recovery, repository
from backend.runs.coalesce import TokenCoalescer
from backend.runs.repository import NewEvent
from backend.tenancy.access import member_context
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)

STOP_POLL_SECONDS = 0.2
STOP_GRACE_SECONDS = 0.7
"""After the stop flag is seen: how long the graph may take to reach its next check before it is cancelled
(poll 0.2 s + grace 0.7 s + the final write stay under a second)."""
FAILED = "The run failed unexpectedly. Try again; if it keeps failing, contact support."
NO_ACCESS = "The person who started this run no longer has edit access to this space."
STATUS_OF_STOP_REASON = {
    "completed": "completed",
    "max_iterations": "completed",
    "contaminated": "completed",
    "cancelled": "cancelled",
    "error": "failed",
    "interrupted": "interrupted",
}

ContextLoader = Callable[[TenantScope, uuid.UUID], Awaitable[SpaceContext | None]]


class RunWriter:
    """Stores batches of a run's events and publishes each stored batch (the coalescer's sink)."""

    def __init__(
        self, database: Database, scope: TenantScope, run_id: uuid.UUID, broker: Broker | None, attempt: int = 0
    ) -> None:
        self.database, self.scope, self.run_id, self.broker = database, scope, run_id, broker
        self.attempt = attempt
        """The attempt this writer finishes (0: any); a run another attempt or recovery took over is left alone."""

    async def append(self, events: list[NewEvent]) -> None:
        async with self.database.tenant(self.scope) as session:
            stored = await repository.append_events(session, self.scope, run_id=self.run_id, events=events)
        await fanout.publish(self.scope, self.run_id, stored, broker=self.broker)

    async def finish(self, events: list[NewEvent], *, status: str, stop_reason: str, error: str | None) -> bool:
        """The last events and the final status, in one transaction (with the run's booked usage); False when
        the run is no longer this attempt's to finish."""
        async with self.database.tenant(self.scope) as session:
            run = await repository.get_run(session, self.scope, run_id=self.run_id, lock=True)
            if run is None:
                return False  # the conversation (and with it the run) was deleted meanwhile
            if self.attempt and (run.status != "running" or run.attempts != self.attempt):
                # Recovery marked this attempt interrupted (its worker looked dead) or a resumed attempt
                # runs now: what this one has to say no longer belongs in the log.
                logger.warning("superseded run attempt ends", extra={"run_id": str(self.run_id)})
                return False
            stored = await repository.append_events(session, self.scope, run_id=self.run_id, events=events)
            run.status, run.stop_reason, run.error = status, stop_reason, error
            run.finished_at = datetime.now(UTC)
            run.usage = await repository.usage_of(session, self.scope, run_id=self.run_id)
        await fanout.publish(self.scope, self.run_id, stored, broker=self.broker)
        return True


async def _claim(writer: RunWriter) -> tuple[Any, int] | str | None:
    """Mark a queued run running; the run (and its attempt number), "stale" for a run a dead worker left
    running, or None when there is nothing to do (finished, cancelled, deleted)."""
    scope, run_id = writer.scope, writer.run_id
    async with writer.database.tenant(scope) as session:
        run = await repository.get_run(session, scope, run_id=run_id, lock=True)
        if run is None:
            return None
        if run.status == "running":
            return "stale"
        if run.status != "queued":
            return None
        run.status, run.started_at, run.finished_at = "running", datetime.now(UTC), None
        run.attempts += 1
        stored = await repository.append_events(
            session, scope, run_id=run_id, events=[("status", {"status": "running", "attempt": run.attempts})]
        )
        attempt = run.attempts
    await fanout.publish(scope, run_id, stored, broker=writer.broker)
    return run, attempt


async def _watch_stop(writer: RunWriter, stop: asyncio.Event) -> None:
    """Raise `stop` when Stop was requested, or when this attempt no longer owns the run."""
    while not stop.is_set():
        await asyncio.sleep(STOP_POLL_SECONDS)
        try:
            async with writer.database.tenant(writer.scope) as session:
                state = await repository.stop_state(session, writer.scope, run_id=writer.run_id)
            if state is None or state[0] or state[1] != "running" or state[2] != writer.attempt:
                stop.set()
        except Exception:
            logger.warning("could not read the run's stop flag", extra={"run_id": str(writer.run_id)}, exc_info=True)


async def _until_done_or_stopped(turn: asyncio.Task[Any], stop: asyncio.Event) -> None:
    """Wait for the turn; once Stop is requested, give it STOP_GRACE_SECONDS to end by itself, then cancel it."""
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({turn, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if not turn.done():
            await asyncio.wait({turn}, timeout=STOP_GRACE_SECONDS)
        if not turn.done():
            turn.cancel()
            await asyncio.wait({turn})
    finally:
        stopped.cancel()


def _stopped_message(partial: str) -> str:
    return partial + ("\n\n_(Stopped.)_" if partial else "_(Stopped before an answer was written.)_")


async def execute_run(
    scope: TenantScope,
    run_id: uuid.UUID,
    *,
    database: Database | None = None,
    broker: Broker | None = None,
    load_context: ContextLoader | None = None,
    **turn_options: Any,
) -> str | None:
    """Execute the run if it is queued; its final status, or None when there was nothing to do (or the run
    was taken from this attempt meanwhile: recovery marked it interrupted, or it was deleted).

    `turn_options` go to `run_turn` (tests pass scripted models, a retriever and tools). Safe to call
    again for the same run: a finished run is left alone, and a run a dead worker left `running` is marked
    interrupted with its partial answer (see `recovery`).
    """
    writer = RunWriter(database or get_database(), scope, run_id, broker)
    with log_context(space_id=scope.space_id):
        claimed = await _claim(writer)
        if claimed == "stale":
            await recovery.interrupt_run(scope, run_id, database=writer.database, broker=broker)
            return "interrupted"
        if claimed is None or isinstance(claimed, str):
            return None
        run, writer.attempt = claimed
        loader = load_context or member_context
        ctx = await loader(scope, run.created_by) if run.created_by else None
        if ctx is None or not ctx.can("editor"):
            await writer.finish(
                [("error", {"message": NO_ACCESS, "code": "no_access"}), _complete("error", NO_ACCESS)],
                status="failed",
                stop_reason="error",
                error=NO_ACCESS,
            )
            return "failed"
        return await _drive(writer, ctx, run, turn_options)


def _complete(stop_reason: str, message: str) -> NewEvent:
    return ("complete", {"stop_reason": stop_reason, "message": message, "citations": [], "unsupported_claims": []})


async def _drive(writer: RunWriter, ctx: SpaceContext, run: Any, turn_options: dict[str, Any]) -> str | None:
    stop = asyncio.Event()
    final: dict[str, Any] | None = None
    parts: list[str] = []
    watcher = asyncio.create_task(_watch_stop(writer, stop), name=f"run-stop-{writer.run_id}")
    turn: asyncio.Task[Any] | None = None
    try:
        async with TokenCoalescer(writer.append) as coalescer:

            async def emit(kind: str, payload: dict[str, Any]) -> None:
                nonlocal final
                if kind == "complete":
                    final = payload  # written with the final status, after everything before it
                    return
                if kind == "token":
                    parts.append(str(payload.get("text") or ""))
                await coalescer.add(kind, payload)

            turn = asyncio.create_task(
                run_turn(
                    ctx,
                    run.conversation_id,
                    run.message,
                    emit=emit,
                    run_id=str(writer.run_id),
                    document_ids=tuple(run.document_ids or ()),
                    should_stop=stop.is_set,
                    **turn_options,
                ),
                name=f"run-turn-{writer.run_id}",
            )
            await _until_done_or_stopped(turn, stop)
    except asyncio.CancelledError:
        # The worker is shutting down: leave an honest record instead of a run stuck in `running`.
        if turn is not None:
            turn.cancel()
        await asyncio.shield(recovery.interrupt_run(writer.scope, writer.run_id, database=writer.database))
        raise
    finally:
        watcher.cancel()
    events: list[NewEvent] = []
    error: str | None = None
    failure = None if turn.cancelled() else turn.exception()
    if failure is not None and not isinstance(failure, AppError):
        logger.error("run failed", exc_info=failure, extra={"run_id": str(writer.run_id)})
    if final is not None:
        # The graph finished its answer; a failure after that (bookkeeping) must not take the answer away.
        events.append(("complete", final))
    elif failure is not None:
        error = failure.message if isinstance(failure, AppError) else FAILED
        partial = "".join(parts)
        events += [("error", {"message": error}), _complete("error", error + (f"\n\n{partial}" if partial else ""))]
    elif stop.is_set():  # cancelled outright after the grace period
        events.append(_complete("cancelled", _stopped_message("".join(parts))))
    else:
        error = FAILED
        logger.error("the graph ended without a complete event", extra={"run_id": str(writer.run_id)})
        events += [("error", {"message": error}), _complete("error", error)]
    stop_reason = str(events[-1][1]["stop_reason"])
    status = STATUS_OF_STOP_REASON.get(stop_reason, "failed")
    return status if await writer.finish(events, status=status, stop_reason=stop_reason, error=error) else None


__all__ = ["STOP_GRACE_SECONDS", "STOP_POLL_SECONDS", "RunWriter", "execute_run"]
