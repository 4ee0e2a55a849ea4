"""Executes one run: graph → events → log → fan-out. The only module that knows both sides.

`execute_run(scope, run_id)` claims a queued run (status `running`, a `status` event, in one transaction
holding the run's row lock, so two workers never execute the same run; the same transaction reads, fresh, the
membership of the person who started it: a run whose starter lost edit access fails without answering), drives
the conversation's turn with `run_turn`, and sends every event through the token coalescer to the event log
and the broker. The graph's `complete` event is held back and written together with the run's final status
in one transaction, so a follower that sees `complete` also sees the run finished. When the answer check
blocked the answer (`stop_reason = "contaminated"`), the same transaction empties the text of the attempt's token events
(`{"text": "", "redacted": true}`, sequences unchanged): a replay from any sequence, through any door, never
returns the blocked draft, and the `complete` event's notice is the attempt's whole answer. A live follower
that already received some of those tokens (what the streaming hold-back could not tell, see
`agents.graph.holdback`) replaces them with that notice. A resumed run (its second or later attempt)
continues the conversation's turn from its last LangGraph checkpoint (`run_turn(..., resume=True)`), so the
message is never answered twice.

Stop: `cancel_run` sets the run's `cancel_requested` flag, then publishes `stop` on the run's control
channel. The executing worker is subscribed to that channel before it claims the run, so Stop reaches it in
milliseconds; it also reads the flag every `STOP_POLL_SECONDS` (1 s), a safety net for a lost broker message
that costs one small query per second per running run (the 200 ms poll this replaces cost five), and the
only way left when the broker cannot be reached (the run then stops within about two seconds). Either way
it raises the in-memory flag that the graph checks between tokens and steps; the graph then ends with
`stop_reason = "cancelled"` and the text written so far. A graph that does not get to a check within
`STOP_GRACE_SECONDS` (a model call that has not produced its first token yet) is cancelled outright; the
turn then saves the partial answer in the conversation's checkpoint itself and the executor writes the
`complete` event, so Stop acts within a second either way. A stopped run keeps its LangGraph checkpoints.
An attempt that no longer owns its run (recovery marked it interrupted, or it was deleted) is cancelled at
once and writes nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from backend.agents.runner import run_turn, stopped_message
from backend.core.cache import get_broker
from backend.core.db import TenantScope, get_database
from backend.core.errors import AppError
from backend.core.logging import log_context
from backend.runs import fanout, recovery, repository
from backend.runs.coalesce import RunStream, get_event_writer
from backend.runs.repository import NewEvent
from backend.tenancy.access import member_context_in
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)

STOP_POLL_SECONDS = 1.0
"""How often the run's flags are read from the database (Stop normally arrives on the control channel)."""
STOP_GRACE_SECONDS = 0.7
"""After Stop is heard: how long the graph may take to reach its next check before it is cancelled
(control message + grace 0.7 s + the final write stay under a second)."""
UNWIND_SECONDS = 5.0
"""How long a cancelled attempt waits for its turn to unwind (close its checkpoint connection) before it
records the run as interrupted."""
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
    """A run's events on their way to the log: through the process's event writer while the run streams
    (`stream`, see `coalesce`), and its last events with the final status (`finish`)."""

    def __init__(self, scope: TenantScope, run_id: uuid.UUID, attempt: int = 0) -> None:
        self.scope, self.run_id = scope, run_id
        self.attempt = attempt
        """The attempt this writer finishes (0: any); a run another attempt or recovery took over is left alone."""
        self._stream: RunStream | None = None

    @property
    def stream(self) -> RunStream:
        if self._stream is None:
            self._stream = get_event_writer().stream(self.scope, self.run_id)
        return self._stream

    async def append(self, events: list[NewEvent]) -> None:
        """Store and publish `events` (with whatever other runs have pending) and wait until they are."""
        await self.stream.append(events)

    async def finish(self, events: list[NewEvent], *, status: str, stop_reason: str, error: str | None) -> bool:
        """The last events and the final status, in one transaction (with the run's booked usage); False when
        the run is no longer this attempt's to finish."""
        async with get_database().tenant(self.scope) as session:
            run = await repository.get_run(session, self.scope, run_id=self.run_id, lock=True)
            if run is None:
                return False  # the conversation (and with it the run) was deleted meanwhile
            if self.attempt and (run.status != "running" or run.attempts != self.attempt):
                # Recovery marked this attempt interrupted (its worker looked dead) or a resumed attempt
                # runs now: what this one has to say no longer belongs in the log.
                logger.warning("superseded run attempt ends", extra={"run_id": str(self.run_id)})
                return False
            if stop_reason == "contaminated":
                # The blocked attempt's text must not be replayable: its tokens are emptied in the transaction
                # that stores the notice, so no reader ever sees the notice beside the text it replaces.
                await repository.redact_attempt_tokens(session, self.scope, run_id=self.run_id)
            stored = await repository.append_events(session, self.scope, run_id=self.run_id, events=events)
            run.status, run.stop_reason, run.error = status, stop_reason, error
            run.finished_at = datetime.now(UTC)
            run.usage = await repository.usage_of(session, self.scope, run_id=self.run_id)
        await fanout.publish(self.scope, self.run_id, stored)
        return True


async def _claim(writer: RunWriter, *, starter: bool) -> tuple[Any, int, SpaceContext | None] | str | None:
    """Mark a queued run running; the run, its attempt number and (with `starter`) the context of the member
    who started it, read fresh in the same transaction (None when they no longer belong to the space); "stale"
    for a run a dead worker left running, or None when there is nothing to do (finished, cancelled, deleted)."""
    scope, run_id = writer.scope, writer.run_id
    ctx: SpaceContext | None = None
    async with get_database().tenant(scope) as session:
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
        if starter and run.created_by:
            ctx = await member_context_in(session, scope, run.created_by)
    await fanout.publish(scope, run_id, stored)
    return run, attempt, ctx


async def _watch(writer: RunWriter, control: Any, stop: asyncio.Event, lost: asyncio.Event) -> None:
    """Raise `stop` when Stop is heard on the control channel or read from the run's flag; raise `lost` when
    this attempt no longer owns the run."""

    async def hear() -> None:
        async for message in control:
            if message == fanout.STOP_COMMAND:
                stop.set()
                return

    hearing = asyncio.create_task(hear(), name=f"run-control-{writer.run_id}")
    try:
        while not (stop.is_set() or lost.is_set()):
            if hearing.done():  # the channel broke: only the database is left, read at the poll's pace
                await asyncio.sleep(STOP_POLL_SECONDS)
            else:
                await asyncio.wait({hearing}, timeout=STOP_POLL_SECONDS)
            if stop.is_set():
                return
            try:
                async with get_database().tenant(writer.scope) as session:
                    state = await repository.stop_state(session, writer.scope, run_id=writer.run_id)
            except Exception:
                logger.warning("could not read the run's flags", extra={"run_id": str(writer.run_id)}, exc_info=True)
                continue
            if state is None or state[1] != "running" or state[2] != writer.attempt:
                lost.set()
            elif state[0]:
                stop.set()
    finally:
        hearing.cancel()


async def _until_done_or_stopped(turn: asyncio.Task[Any], stop: asyncio.Event, lost: asyncio.Event) -> None:
    """Wait for the turn; once Stop is heard, give it STOP_GRACE_SECONDS to end by itself, then cancel it. A
    turn whose attempt lost the run is cancelled at once."""
    signals = [asyncio.create_task(stop.wait()), asyncio.create_task(lost.wait())]
    try:
        await asyncio.wait({turn, *signals}, return_when=asyncio.FIRST_COMPLETED)
        if not turn.done() and not lost.is_set():
            await asyncio.wait({turn, signals[1]}, timeout=STOP_GRACE_SECONDS, return_when=asyncio.FIRST_COMPLETED)
        if not turn.done():
            turn.cancel()
            await asyncio.wait({turn})
    finally:
        for signal in signals:
            signal.cancel()


async def execute_run(
    scope: TenantScope,
    run_id: uuid.UUID,
    *,
    load_context: ContextLoader | None = None,
    **turn_options: Any,
) -> str | None:
    """Execute the run if it is queued; its final status, or None when there was nothing to do (or the run
    was taken from this attempt meanwhile: recovery marked it interrupted, or it was deleted).

    `turn_options` go to `run_turn` (tests pass scripted models, a retriever and tools). Safe to call
    again for the same run: a finished run is left alone, and a run a dead worker left `running` is marked
    interrupted with its partial answer (see `recovery`).
    """
    writer = RunWriter(scope, run_id)
    with log_context(space_id=scope.space_id):
        async with contextlib.AsyncExitStack() as stack:
            # Subscribed to Stop before the claim: a Stop sent the moment the run starts is heard.
            control: Any = fanout.Silent()
            try:
                control = await stack.enter_async_context(get_broker().subscribe(fanout.control_channel(scope, run_id)))
            except Exception:
                logger.warning("no control channel: Stop is read from the database only", exc_info=True)
            return await _execute(writer, control, load_context, turn_options)


async def _execute(
    writer: RunWriter, control: Any, load_context: ContextLoader | None, turn_options: dict[str, Any]
) -> str | None:
    scope, run_id = writer.scope, writer.run_id
    # The starter's membership is read in the claim's transaction (`member_context_in`), or by `load_context`.
    claimed = await _claim(writer, starter=load_context is None)
    if claimed == "stale":
        await recovery.interrupt_run(scope, run_id)
        return "interrupted"
    if claimed is None or isinstance(claimed, str):
        return None
    run, writer.attempt, ctx = claimed
    if load_context is not None:
        ctx = await load_context(scope, run.created_by) if run.created_by else None
    if ctx is None or not ctx.can("editor"):
        await writer.finish(
            [("error", {"message": NO_ACCESS, "code": "no_access"}), _complete("error", NO_ACCESS)],
            status="failed",
            stop_reason="error",
            error=NO_ACCESS,
        )
        return "failed"
    return await _drive(writer, control, ctx, run, turn_options)


def _complete(stop_reason: str, message: str) -> NewEvent:
    return ("complete", {"stop_reason": stop_reason, "message": message, "citations": [], "unsupported_claims": []})


async def _drive(
    writer: RunWriter, control: Any, ctx: SpaceContext, run: Any, turn_options: dict[str, Any]
) -> str | None:
    stop, lost = asyncio.Event(), asyncio.Event()
    final: dict[str, Any] | None = None
    parts: list[str] = []
    watcher = asyncio.create_task(_watch(writer, control, stop, lost), name=f"run-stop-{writer.run_id}")
    turn: asyncio.Task[Any] | None = None
    abandoned = False
    try:
        stream = writer.stream

        async def emit(kind: str, payload: dict[str, Any]) -> None:
            nonlocal final
            if abandoned:
                return  # a turn that outlived its cancellation must not write into the run's next attempt
            if kind == "complete":
                final = payload  # written with the final status, after everything before it
                return
            if kind == "token":
                parts.append(str(payload.get("text") or ""))
            elif kind == "step" and payload.get("name") == "write" and payload.get("status") == "started":
                parts.clear()  # a new draft replaces the previous one
            stream.add(kind, payload)

        turn = asyncio.create_task(
            run_turn(
                ctx,
                run.conversation_id,
                run.message,
                emit=emit,
                run_id=str(writer.run_id),
                document_ids=tuple(run.document_ids or ()),
                should_stop=stop.is_set,
                resume=writer.attempt > 1,
                **turn_options,
            ),
            name=f"run-turn-{writer.run_id}",
        )
        await _until_done_or_stopped(turn, stop, lost)
        await stream.drain()  # everything the graph emitted is stored before the final status
    except asyncio.CancelledError:
        # The worker is shutting down: leave an honest record instead of a run stuck in `running`. The turn
        # unwinds first (its checkpoint connection closed, no statement left in flight), so a later attempt
        # never meets a half-closed connection of this one.
        if turn is not None:
            turn.cancel()
            with contextlib.suppress(TimeoutError):
                await asyncio.shield(asyncio.wait_for(asyncio.wait({turn}), UNWIND_SECONDS))
        # What the attempt emitted is stored before the run is marked interrupted (its partial answer is read
        # from the log), and nothing it emits later is: a turn that did not unwind in time would otherwise add
        # tokens after a resumed attempt's start, where they would read as part of the new answer.
        abandoned = True
        with contextlib.suppress(Exception):
            await asyncio.shield(stream.drain())
        await asyncio.shield(recovery.interrupt_run(writer.scope, writer.run_id))
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
    elif lost.is_set():
        return None  # recovery took the run over, or it was deleted: nothing of this attempt is written
    elif stop.is_set():  # cancelled outright after the grace period
        events.append(_complete("cancelled", stopped_message("".join(parts))))
    else:
        error = FAILED
        logger.error("the graph ended without a complete event", extra={"run_id": str(writer.run_id)})
        events += [("error", {"message": error}), _complete("error", error)]
    stop_reason = str(events[-1][1]["stop_reason"])
    status = STATUS_OF_STOP_REASON.get(stop_reason, "failed")
    return status if await writer.finish(events, status=status, stop_reason=stop_reason, error=error) else None


__all__ = ["STOP_GRACE_SECONDS", "STOP_POLL_SECONDS", "RunWriter", "execute_run"]
