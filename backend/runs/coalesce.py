"""The process's run-event writer: token deltas coalesced, and every run's pending events stored in one
transaction per window, then published.

A model streams one token (a few characters) at a time. Storing each as its own transaction capped a worker
at about 250 events/s (one commit, a WAL flush, per token): 50 runs at 20 tokens/s fell seconds behind.
So a process has one `EventWriter` (per event loop), and each executing run a `RunStream` on it:

- `RunStream.add` never waits. Consecutive token deltas of a run merge into one `token` event while they
  wait (size cap: 1,024 characters; a longer burst is cut into events of at most that size, so no single
  event, replay page or broker message grows with the answer). A non-token event (step, tool call,
  citation, ...) ends the token event before it, so the order the graph produced is the order stored.
- The writer takes what every run has pending and stores it in ONE transaction: per space, one UPDATE
  allocating the runs' sequences (`UPDATE ... RETURNING`, gap-free, see `repository.append_to_runs`) and
  one multi-row INSERT, under that space's row-level security (`switch_space`); then it publishes each
  run's new events on its channel, after the commit.

Window: 20 ms between the starts of two transactions. After a quiet spell the first event goes out at once,
and a run's first token never waits for the window (it goes out as soon as the transaction in flight ends:
one extra transaction per run, at most); under load, other events wait at most 20 ms (10 ms on average) plus
the transaction in flight. (The first token used to wait for the window opened by the step events emitted
just before it, `think` done and `write` started.) That is the latency the coalescing costs, under half of
the 50 ms p95 delivery budget. In exchange a worker commits at most 50 times a second (plus once per run
that starts answering) whatever the number of runs and tokens, and a run streaming 100-200 tokens/s (hosted
models) stores 2-4 tokens per event.

`RunStream.drain()` waits until everything added so far is stored and published and raises a storage
failure (which the next `add` raises too), so a run whose events cannot be stored stops instead of
streaming into the void. A run deleted meanwhile fails its stream with LookupError; the other runs of the
same transaction are not affected (a transaction that fails as a whole is retried one space at a time).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from backend.core.db import TenantScope, get_database, switch_space
from backend.runs import fanout, repository
from backend.runs.events import RunEventPublic
from backend.runs.repository import NewEvent

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 0.02
MAX_TOKEN_CHARS = 1024

Batch = tuple[TenantScope, uuid.UUID, list[NewEvent]]
Outcome = list[RunEventPublic] | BaseException
Sink = Callable[[list[Batch]], Awaitable[list[Outcome]]]
"""Stores and publishes batches; one outcome per batch, in order (its stored events, or why it failed)."""


def merge(pending: list[NewEvent], kind: str, payload: dict[str, Any], max_chars: int = MAX_TOKEN_CHARS) -> None:
    """Append an event to `pending`, merging a token into the token event before it (at most `max_chars`)."""
    if kind != "token":
        pending.append((kind, payload))
        return
    text = str(payload.get("text") or "")
    if pending and pending[-1][0] == "token" and len(pending[-1][1]["text"]) < max_chars:
        text = pending.pop()[1]["text"] + text
    while len(text) > max_chars:
        pending.append(("token", {"text": text[:max_chars]}))
        text = text[max_chars:]
    if text:
        pending.append(("token", {"text": text}))


class RunStream:
    """One run's events on their way to the log (see the module)."""

    def __init__(self, writer: EventWriter, scope: TenantScope, run_id: uuid.UUID) -> None:
        self.writer, self.scope, self.run_id = writer, scope, run_id
        self.pending: list[NewEvent] = []
        self.added = 0
        """Events handed in so far."""
        self.written = 0
        """Of those, how many are stored and published."""
        self.error: BaseException | None = None
        self._tokens = False
        """Whether a token was added yet (the first one does not wait for the window)."""
        self._taken = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def add(self, kind: str, payload: dict[str, Any]) -> None:
        """Queue one event (never waits); raises the failure of an earlier batch."""
        if self.error is not None:
            raise self.error
        merge(self.pending, kind, payload, self.writer.max_chars)
        self.added += 1
        first_token = kind == "token" and not self._tokens
        self._tokens = self._tokens or kind == "token"
        self.writer.wake(self, urgent=first_token)

    async def drain(self) -> None:
        """Wait until every event added so far is stored and published."""
        if self.error is None and self.written < self.added:
            future = asyncio.get_running_loop().create_future()
            self._waiters.append((self.added, future))
            await future
        if self.error is not None:
            raise self.error

    async def append(self, events: Sequence[NewEvent]) -> None:
        """Add `events` and wait until they are stored and published."""
        for kind, payload in events:
            self.add(kind, payload)
        await self.drain()

    def _take(self) -> list[NewEvent]:
        events, self.pending = self.pending, []
        self._taken = self.added
        return events

    def _settle(self, outcome: Outcome | None) -> None:
        if isinstance(outcome, BaseException):
            self.error = self.error or outcome
        else:
            self.written = self._taken
        keep = []
        for target, future in self._waiters:
            if self.error is not None or target <= self.written:
                if not future.done():
                    future.set_result(None)
            else:
                keep.append((target, future))
        self._waiters = keep


class EventWriter:
    """Coalesces and stores the events of every run executing in this process (see the module)."""

    def __init__(self, sink: Sink | None = None, *, window: float = WINDOW_SECONDS, max_chars: int = MAX_TOKEN_CHARS):
        self.sink: Sink = sink or store_and_publish
        self.window, self.max_chars = window, max_chars
        self.transactions = 0
        """How many batches of runs reached the sink (for tests and benchmarks)."""
        self._dirty: dict[int, RunStream] = {}
        self._task: asyncio.Task[None] | None = None
        self._last: float | None = None
        self._hurry = asyncio.Event()
        """Set when a run's first token is pending: the next transaction starts without waiting for the window."""

    def stream(self, scope: TenantScope, run_id: uuid.UUID) -> RunStream:
        return RunStream(self, scope, run_id)

    def wake(self, stream: RunStream, *, urgent: bool = False) -> None:
        self._dirty[id(stream)] = stream
        if urgent:
            self._hurry.set()
        if self._task is None or self._task.done():
            # The task ends when nothing is left to write, so an idle process holds no task.
            self._task = asyncio.get_running_loop().create_task(self._run(), name="run-event-writer")

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        streams: list[RunStream] = []
        try:
            while self._dirty:
                wait = self._last + self.window - loop.time() if self._last is not None else 0.0
                if wait > 0 and not self._hurry.is_set():
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(wait):
                            await self._hurry.wait()
                self._hurry.clear()
                self._last = loop.time()
                streams = list(self._dirty.values())
                self._dirty.clear()
                batches = [(s.scope, s.run_id, s._take()) for s in streams]
                self.transactions += 1
                try:
                    outcomes: list[Outcome] = await self.sink(batches)
                except Exception as error:
                    logger.warning("could not store run events", exc_info=True)
                    outcomes = [error] * len(batches)
                for stream, outcome in zip(streams, outcomes, strict=True):
                    stream._settle(outcome)
                streams = []
        except BaseException as error:  # cancelled with the loop: nobody may wait forever
            for stream in [*streams, *self._dirty.values()]:
                stream._settle(error if isinstance(error, Exception) else RuntimeError("the event writer stopped"))
            raise


async def store_and_publish(batches: list[Batch]) -> list[Outcome]:
    """Store the batches in one transaction (one space after the other), then publish each run's events."""
    by_space: dict[TenantScope, list[int]] = {}
    for index, (scope, _, _) in enumerate(batches):
        by_space.setdefault(scope, []).append(index)
    outcomes: list[Outcome] = [RuntimeError("not stored")] * len(batches)
    try:
        async with get_database().session() as session:
            for scope, indexes in by_space.items():
                await switch_space(session, scope)
                _record(outcomes, indexes, await _append(session, scope, batches, indexes))
    except Exception:
        if len(by_space) == 1:
            raise
        # One space's failure must not fail the others: each space again in its own transaction.
        logger.warning("a shared run-event transaction failed; storing space by space", exc_info=True)
        for scope, indexes in by_space.items():
            try:
                async with get_database().tenant(scope) as session:
                    _record(outcomes, indexes, await _append(session, scope, batches, indexes))
            except Exception as error:
                for index in indexes:
                    outcomes[index] = error
    published: dict[uuid.UUID, tuple[TenantScope, list[RunEventPublic]]] = {}
    for (scope, run_id, _), outcome in zip(batches, outcomes, strict=True):
        if isinstance(outcome, list) and outcome:
            published.setdefault(run_id, (scope, []))[1].extend(outcome)
    await fanout.publish_many([(scope, run_id, events) for run_id, (scope, events) in published.items()])
    return outcomes


async def _append(session: Any, scope: TenantScope, batches: list[Batch], indexes: list[int]) -> list[Any]:
    return await repository.append_to_runs(
        session, scope, batches=[(batches[i][1], batches[i][2]) for i in indexes]
    )


def _record(outcomes: list[Outcome], indexes: list[int], stored: list[Any]) -> None:
    for index, rows in zip(indexes, stored, strict=True):
        outcomes[index] = rows if rows is not None else LookupError("the run is not in this space")


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, EventWriter] = weakref.WeakKeyDictionary()


def get_event_writer() -> EventWriter:
    """This event loop's writer (a worker has one loop; tests get a fresh writer with each loop)."""
    loop = asyncio.get_running_loop()
    writer = _writers.get(loop)
    if writer is None:
        writer = _writers[loop] = EventWriter()
    return writer


__all__ = [
    "MAX_TOKEN_CHARS",
    "WINDOW_SECONDS",
    "EventWriter",
    "RunStream",
    "Sink",
    "get_event_writer",
    "merge",
    "store_and_publish",
]
