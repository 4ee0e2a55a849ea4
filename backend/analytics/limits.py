"""How many GA4 calls reach Google at once, and how often the same report is asked for.

Google runs at most 10 requests of one property at a time (`concurrentRequests` in `propertyQuota`) and
refuses the rest; a dashboard refreshed by a team, agents' tools and item pages all read the same property.

- `property_slot(property_id)`: a call holds a slot of its property while it talks to Google. In a process,
  an `asyncio.Semaphore` per property (`GA4_MAX_CONCURRENT_REQUESTS`) queues the rest. With Redis (several
  workers), a counter per property shared by every process bounds them together: a call takes a slot with
  INCR, gives it back at once when the count went past the limit, and waits a little before trying again.
  The counter expires a while after it was created, so a process killed while holding slots cannot block
  the property for good (at worst the bound is loose for a moment after it expires).
- `single_flight(key, fetch, cached)`: identical requests made at the same time share one call. In a process
  every caller awaits one task (`joined`); across processes the first takes a short lock in the cache (SET NX)
  and the others wait for its result to land in the report cache, and call Google themselves only if it never
  does.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import TypeVar, cast

from backend.analytics.client import Ga4Error
from backend.core.cache import get_cache
from backend.core.config import get_settings

T = TypeVar("T")

POLL_FIRST, POLL_MAX = 0.05, 0.5
"""Seconds between two looks at a shared slot or at another process's result (doubling up to the max)."""

# Per event loop: a semaphore or a task belongs to the loop that made it (tests run one loop each).
_semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, int], asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)
_flights: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Task[object]]] = (
    weakref.WeakKeyDictionary()
)


def busy_error() -> Ga4Error:
    return Ga4Error(
        "Google Analytics is busy with this property's other reports; try again in a moment.",
        code="ga4_busy",
        status=503,
    )


def _semaphore(property_id: str, limit: int) -> asyncio.Semaphore:
    per_loop = _semaphores.setdefault(asyncio.get_running_loop(), {})
    return per_loop.setdefault((property_id, limit), asyncio.Semaphore(limit))


@asynccontextmanager
async def shared_slot(property_id: str, *, limit: int, wait: float) -> AsyncIterator[None]:
    """A slot of the property's counter in the shared cache; `busy_error()` after `wait` seconds without one.

    A no-op without Redis: the process's semaphore is then the whole bound.
    """
    cache = get_cache()
    if cache.backend_name != "redis":
        yield
        return
    key = f"ga4:in_flight:{property_id}"
    ttl = max(60.0, wait * 4)
    loop = asyncio.get_running_loop()
    deadline, delay = loop.time() + wait, POLL_FIRST
    while await cache.incr(key, ttl) > limit:
        await cache.decr(key)
        if loop.time() + delay > deadline:
            raise busy_error()
        await asyncio.sleep(delay)
        delay = min(POLL_MAX, delay * 2)
    try:
        yield
    finally:
        await asyncio.shield(cache.decr(key))


@asynccontextmanager
async def property_slot(property_id: str) -> AsyncIterator[None]:
    """Hold one of the property's concurrent-request slots (this process's, then the shared one)."""
    settings = get_settings()
    limit, wait = settings.ga4_max_concurrent_requests, settings.ga4_timeout_seconds
    async with _semaphore(property_id, limit), shared_slot(property_id, limit=limit, wait=wait):
        yield


async def single_flight(key: str, fetch: Callable[[], Awaitable[T]], *, cached: Callable[[], Awaitable[T | None]]) -> T:
    """`fetch()` once for every caller asking for `key` at the same time; `cached()` reads a landed result."""
    return await joined(key, lambda: across_processes(key, fetch, cached))


async def joined(key: str, call: Callable[[], Awaitable[T]]) -> T:
    """`call()` once for every caller of this process asking for `key` while it runs; each gets its result."""
    loop = asyncio.get_running_loop()
    flights = _flights.setdefault(loop, {})
    task = flights.get(key)
    if task is None:
        task = loop.create_task(_run(call))
        flights[key] = task
        task.add_done_callback(partial(_landed, flights, key))
    # A caller that goes away (a closed tab) must not cancel the call the others are waiting for.
    return cast(T, await asyncio.shield(task))


async def _run(call: Callable[[], Awaitable[T]]) -> T:
    return await call()


def _landed(flights: dict[str, asyncio.Task[object]], key: str, task: asyncio.Task[object]) -> None:
    if flights.get(key) is task:
        del flights[key]
    if not task.cancelled():
        task.exception()  # retrieved, even when every caller has gone


async def across_processes(key: str, fetch: Callable[[], Awaitable[T]], cached: Callable[[], Awaitable[T | None]]) -> T:
    cache = get_cache()
    wait = get_settings().ga4_timeout_seconds * 2
    lock = f"{key}:flight"
    loop = asyncio.get_running_loop()
    deadline, delay = loop.time() + wait, POLL_FIRST
    while not await cache.add(lock, "1", wait):
        await asyncio.sleep(delay)
        delay = min(POLL_MAX, delay * 2)
        landed = await cached()
        if landed is not None:
            return landed
        if loop.time() >= deadline:  # the other process is stuck or gone: ask Google ourselves
            return await fetch()
    try:
        landed = await cached()  # it may have landed between the caller's cache miss and the lock
        return landed if landed is not None else await fetch()
    finally:
        await asyncio.shield(cache.delete(lock))


__all__ = ["across_processes", "busy_error", "joined", "property_slot", "shared_slot", "single_flight"]
