"""Live fan-out of a run's events, and following a run: replay from the database, then live.

Each persisted batch is published on one channel per space and run (`runs:<scope key>:run:<id>`), through
the broker (Redis pub/sub when configured, in-process queues otherwise). Publishing is best effort: the
database is the truth, the broker only makes delivery fast.

`follow(scope, run_id, after)` yields every event with a sequence above `after` exactly once, in order:
  1. it subscribes FIRST, so nothing published from now on can be missed;
  2. it replays from the database what was stored before (everything after `after`);
  3. it continues with live messages, dropping sequences it has already yielded (the replay and the live
     stream overlap when events are stored while the replay runs).
A live batch that skips ahead (a message lost by the broker, or a slow subscriber whose oldest messages
were dropped) is filled from the database before it is yielded, and when nothing arrives for
`POLL_SECONDS` the database is asked directly, so a lost message delays an event but never loses it.
A broker that cannot be reached at all (Redis restarting) leaves the follower on those polls alone: events
then arrive every `POLL_SECONDS`, still in order and exactly once.
Following ends after a `complete` event that is the run's last event while the run is no longer active
(the final status is written in the same transaction as that event).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import orjson

from backend.core.cache import get_broker
from backend.core.db import TenantScope, get_database
from backend.runs import repository
from backend.runs.events import RunEventPublic, dumps_wire, from_wire
from backend.runs.models import FINAL_STATUSES

logger = logging.getLogger(__name__)

POLL_SECONDS = 2.0
"""How long a follower waits for a live message before it asks the database (a safety net only)."""
REPLAY_PAGE = 1000
STOP_COMMAND = "stop"
"""What `service.cancel_run` publishes on a run's control channel."""


def channel(scope: TenantScope, run_id: uuid.UUID) -> str:
    """The broker channel of one run: the space is part of the name, like every key of tenant data."""
    return f"runs:{scope.key()}:run:{run_id}"


def control_channel(scope: TenantScope, run_id: uuid.UUID) -> str:
    """The channel on which the executing worker hears Stop (the run's flag stays the truth)."""
    return f"runs:{scope.key()}:run:{run_id}:control"


async def publish_control(scope: TenantScope, run_id: uuid.UUID, command: str) -> None:
    """Tell the worker executing the run (best effort: it also polls the run's flag now and then)."""
    try:
        await get_broker().publish(control_channel(scope, run_id), command)
    except Exception:
        logger.warning("could not publish a run control message", extra={"run_id": str(run_id)}, exc_info=True)


async def publish(scope: TenantScope, run_id: uuid.UUID, events: list[RunEventPublic]) -> None:
    """Publish a persisted batch (a broker failure is logged, never raised: followers poll the database)."""
    if not events:
        return
    try:
        await get_broker().publish(channel(scope, run_id), _message(events))
    except Exception:
        logger.warning("could not publish run events", extra={"run_id": str(run_id)}, exc_info=True)


async def publish_many(batches: list[tuple[TenantScope, uuid.UUID, list[RunEventPublic]]]) -> None:
    """Publish several runs' persisted batches at once (one broker round trip); best effort like `publish`."""
    messages = [(channel(scope, run_id), _message(events)) for scope, run_id, events in batches if events]
    try:
        await get_broker().publish_many(messages)
    except Exception:
        logger.warning("could not publish run events", exc_info=True)


def _message(events: list[RunEventPublic]) -> str:
    return dumps_wire(events).decode()


class Silent:
    """A subscription that never delivers (the broker could not be reached): the database polls carry on."""

    def __aiter__(self) -> Silent:
        return self

    async def __anext__(self) -> str:
        await asyncio.Event().wait()
        raise StopAsyncIteration


@contextlib.asynccontextmanager
async def _subscribed(name: str) -> AsyncIterator[Any]:
    """The broker's subscription to `name`, or `Silent` when the broker is down (delivery then rests on the
    database polls: slower, never lost)."""
    async with contextlib.AsyncExitStack() as stack:
        subscription: Any = Silent()
        try:
            subscription = await stack.enter_async_context(get_broker().subscribe(name))
        except Exception:
            logger.warning("the broker is unreachable: following from the database only", exc_info=True)
        yield subscription


def _parse(message: str | bytes) -> list[RunEventPublic]:
    try:
        items: Any = orjson.loads(message)
        return [from_wire(item) for item in items]
    except Exception:
        logger.warning("ignoring a malformed run event message")
        return []


async def _stored(
    scope: TenantScope, run_id: uuid.UUID, after: int, before: int | None = None
) -> list[RunEventPublic]:
    async with get_database().tenant(scope) as session:
        return await repository.list_events(
            session, scope, run_id=run_id, after=after, before=before, limit=REPLAY_PAGE
        )


async def _finished_at(scope: TenantScope, run_id: uuid.UUID, sequence: int) -> bool:
    """True when the event at `sequence` is the run's last and the run is no longer active."""
    async with get_database().tenant(scope) as session:
        run = await repository.get_run(session, scope, run_id=run_id)
    return run is None or (run.status in FINAL_STATUSES and run.last_sequence <= sequence)


async def follow(
    scope: TenantScope,
    run_id: uuid.UUID,
    after: int = 0,
    *,
    poll_seconds: float = POLL_SECONDS,
) -> AsyncIterator[RunEventPublic]:
    """Every event of the run after `after`, exactly once and in order, replayed then live (see the module).

    The caller has checked that the run is in `scope`; this function trusts the scope it is given.
    """
    async with contextlib.aclosing(follow_batches(scope, run_id, after, poll_seconds=poll_seconds)) as batches:
        async for batch in batches:
            for event in batch:
                yield event


async def follow_batches(
    scope: TenantScope,
    run_id: uuid.UUID,
    after: int = 0,
    *,
    poll_seconds: float = POLL_SECONDS,
) -> AsyncGenerator[list[RunEventPublic], None]:
    """`follow`, a batch at a time (a replay page, a live message): for doors that send many events in one
    frame. Batches are never empty; together they are exactly what `follow` yields."""
    live: asyncio.Queue[str] = asyncio.Queue()
    last = after

    async with _subscribed(channel(scope, run_id)) as subscription:

        async def pump() -> None:
            async for message in subscription:
                live.put_nowait(message)

        pumping = asyncio.create_task(pump(), name=f"run-follow-{run_id}")
        following: asyncio.Task[list[RunEventPublic]] | None = None
        try:
            # Replay: page through what is stored. Anything stored later is either in a later page or
            # arrives live (we subscribed before the first read). A full page means more may follow: the
            # next page is read while this one is sent (the database and the sending overlap).
            following = asyncio.create_task(_stored(scope, run_id, last))
            while True:
                page = await following
                following = None
                if len(page) == REPLAY_PAGE:
                    following = asyncio.create_task(_stored(scope, run_id, page[-1].sequence))
                if page:
                    last = page[-1].sequence
                    ended = await _ends(scope, run_id, page)
                    yield page[: ended + 1] if ended is not None else page
                    if ended is not None:
                        return
                if following is None:
                    break
            while True:
                try:
                    message = await asyncio.wait_for(live.get(), poll_seconds)
                    incoming = _parse(message)
                except TimeoutError:
                    incoming = await _stored(scope, run_id, last)
                out: list[RunEventPublic] = []
                for event in sorted(incoming, key=lambda e: e.sequence):
                    if event.sequence <= last:
                        continue  # already yielded (replay overlap, or a duplicate message)
                    if event.sequence > last + 1:
                        missed = await _stored(scope, run_id, last, before=event.sequence)
                        out += missed
                        last = missed[-1].sequence if missed else last
                        if event.sequence != last + 1:
                            continue  # not stored yet in our view: the next poll picks it up in order
                    out.append(event)
                    last = event.sequence
                if out:
                    ended = await _ends(scope, run_id, out)
                    yield out[: ended + 1] if ended is not None else out
                    if ended is not None:
                        return
        finally:
            for task in (pumping, following):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task


async def _ends(scope: TenantScope, run_id: uuid.UUID, batch: list[RunEventPublic]) -> int | None:
    """The index of the batch's event that ends the run (a `complete` that is its last event while the run
    is no longer active), or None."""
    for index, event in enumerate(batch):
        if event.type == "complete" and await _finished_at(scope, run_id, event.sequence):
            return index
    return None


__all__ = [
    "POLL_SECONDS",
    "STOP_COMMAND",
    "Silent",
    "channel",
    "control_channel",
    "follow",
    "follow_batches",
    "publish",
    "publish_control",
    "publish_many",
]
