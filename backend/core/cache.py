"""One interface for a TTL cache and for publish/subscribe.

Redis backs both when REDIS_URL is set (shared by every worker and machine); otherwise in-process
structures do (cachetools for the cache, asyncio queues for the broker), which is right for one process.
Callers build keys and channel names with the tenant scope in them; this layer adds only a namespace.

Two caches, because their entries must be treated differently when memory runs short:
  * `get_cache()`: content anyone can fill (search results, fetched pages, contexts); in-process it is an
    LRU capped by bytes (CACHE_MAX_MB), so it may drop anything early;
  * `get_security_cache()`: revoked token ids, log-in counters, token generations; an entry is kept until it
    expires, never evicted for room, so filling the content cache cannot make a logged-out token verify
    again or reset a throttle. With Redis both are the same server (run it with a `noeviction` or
    `volatile-*` policy: Redis's own LRU would otherwise drop these keys too).
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

from cachetools import TLRUCache

from backend.core.config import get_settings


class Cache(Protocol):
    backend_name: str

    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str, ttl: float) -> None: ...
    async def delete(self, *keys: str) -> None: ...
    async def exists(self, key: str) -> bool: ...
    async def incr(self, key: str, ttl: float) -> int:
        """Increment a counter; a new counter expires after `ttl` seconds (fixed window)."""
        ...

    async def add(self, key: str, value: str, ttl: float) -> bool:
        """Set `key` only if it does not exist (atomically); True when this call set it."""
        ...

    async def decr(self, key: str) -> int:
        """Decrement an existing counter (its expiry unchanged); a missing key stays missing and gives 0."""
        ...

    async def set_max(self, key: str, value: int, ttl: float) -> str:
        """Store `value` unless the key holds a number at least as high, or a non-number (a sticky marker);
        atomically. Returns what the key holds afterwards."""
        ...

    async def ttl(self, key: str) -> float | None: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


class Subscription(Protocol):
    def __aiter__(self) -> AsyncIterator[str]: ...


class Broker(Protocol):
    backend_name: str

    async def publish(self, channel: str, message: str) -> None: ...
    async def publish_many(self, messages: list[tuple[str, str]]) -> None:
        """Publish (channel, message) pairs in order (Redis: one round trip for all)."""
        ...

    def subscribe(self, channel: str) -> Any:
        """Async context manager yielding an async iterator of messages published after it opened."""
        ...

    async def close(self) -> None: ...


async def get_json(cache: Cache, key: str) -> Any | None:
    raw = await cache.get(key)
    return None if raw is None else json.loads(raw)


async def set_json(cache: Cache, key: str, value: Any, ttl: float) -> None:
    await cache.set(key, json.dumps(value, default=str), ttl)


# --- in-process --------------------------------------------------------------------------------


def _entry_size(entry: tuple[str, float]) -> int:
    # Characters of the value plus a rough per-entry overhead (key, tuple, deadline, LRU links).
    return len(entry[0]) + 200


class MemoryCache:
    backend_name = "in-process"

    def __init__(
        self, max_bytes: float = 64 * 1024 * 1024, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """An LRU holding at most `max_bytes` of values (`math.inf`: evicts only what expired)."""
        # The value is stored with its own deadline so every key can have its own TTL.
        self._clock = clock
        self._data: TLRUCache[str, tuple[str, float]] = TLRUCache(
            maxsize=max_bytes, ttu=lambda _k, v, _now: v[1], timer=clock, getsizeof=_entry_size
        )

    def _put(self, key: str, value: str, deadline: float) -> None:
        try:
            self._data[key] = (value, deadline)
        except ValueError:  # larger than the whole cache: not cached (a cache may always miss)
            self._data.pop(key, None)

    async def get(self, key: str) -> str | None:
        item = self._data.get(key)
        return None if item is None else item[0]

    async def set(self, key: str, value: str, ttl: float) -> None:
        self._put(key, value, self._clock() + ttl)

    async def add(self, key: str, value: str, ttl: float) -> bool:
        # No await between the check and the write: atomic on the event loop.
        if key in self._data:
            return False
        self._put(key, value, self._clock() + ttl)
        return key in self._data

    async def set_max(self, key: str, value: int, ttl: float) -> str:
        item = self._data.get(key)
        if item is not None and (not item[0].lstrip("-").isdigit() or int(item[0]) >= value):
            return item[0]
        self._put(key, str(value), self._clock() + ttl)
        return str(value)

    async def decr(self, key: str) -> int:
        item = self._data.get(key)
        if item is None:
            return 0
        value = int(item[0]) - 1
        self._data[key] = (str(value), item[1])
        return value

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._data.pop(key, None)

    async def exists(self, key: str) -> bool:
        return key in self._data

    async def incr(self, key: str, ttl: float) -> int:
        item = self._data.get(key)
        if item is None:
            self._data[key] = ("1", self._clock() + ttl)
            return 1
        value = int(item[0]) + 1
        self._data[key] = (str(value), item[1])
        return value

    async def ttl(self, key: str) -> float | None:
        item = self._data.get(key)
        return None if item is None else max(0.0, item[1] - self._clock())

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._data.clear()


class _MemorySubscription:
    def __init__(self, queue: asyncio.Queue[str]) -> None:
        self._queue = queue

    def __aiter__(self) -> AsyncIterator[str]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[str]:
        while True:
            yield await self._queue.get()


class MemoryBroker:
    backend_name = "in-process"

    def __init__(self, max_queue: int = 10_000) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[str]]] = {}
        self._max_queue = max_queue

    async def publish(self, channel: str, message: str) -> None:
        for queue in list(self._subscribers.get(channel, ())):
            if queue.full():  # a stalled subscriber loses its oldest message, never blocks publishers
                queue.get_nowait()
            queue.put_nowait(message)

    async def publish_many(self, messages: list[tuple[str, str]]) -> None:
        for channel, message in messages:
            await self.publish(channel, message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[_MemorySubscription]:
        queue: asyncio.Queue[str] = asyncio.Queue(self._max_queue)
        self._subscribers.setdefault(channel, set()).add(queue)
        try:
            yield _MemorySubscription(queue)
        finally:
            subscribers = self._subscribers.get(channel)
            if subscribers is not None:
                subscribers.discard(queue)
                if not subscribers:
                    del self._subscribers[channel]

    async def close(self) -> None:
        self._subscribers.clear()


# --- Redis -------------------------------------------------------------------------------------


# DECR would create a missing key without an expiry: only an existing counter is decremented.
_DECR_EXISTING = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end return 0"


_SET_MAX = """
local current = redis.call('GET', KEYS[1])
if current and (tonumber(current) == nil or tonumber(current) >= tonumber(ARGV[1])) then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
"""


class RedisCache:
    backend_name = "redis"

    def __init__(self, url: str, namespace: str) -> None:
        import redis.asyncio as aioredis

        self._client = aioredis.from_url(url, decode_responses=True, health_check_interval=30)
        self._ns = namespace + ":"

    async def get(self, key: str) -> str | None:
        value = await self._client.get(self._ns + key)
        return None if value is None else str(value)

    async def set(self, key: str, value: str, ttl: float) -> None:
        await self._client.set(self._ns + key, value, px=max(1, int(ttl * 1000)))

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._client.delete(*(self._ns + k for k in keys))

    async def exists(self, key: str) -> bool:
        return bool(await self._client.exists(self._ns + key))

    async def incr(self, key: str, ttl: float) -> int:
        pipe = self._client.pipeline(transaction=True)
        pipe.incr(self._ns + key)
        pipe.pexpire(self._ns + key, max(1, int(ttl * 1000)), nx=True)
        value, _ = await pipe.execute()
        return int(value)

    async def add(self, key: str, value: str, ttl: float) -> bool:
        return bool(await self._client.set(self._ns + key, value, px=max(1, int(ttl * 1000)), nx=True))

    async def decr(self, key: str) -> int:
        return int(await self._client.eval(_DECR_EXISTING, 1, self._ns + key))  # type: ignore[misc]

    async def set_max(self, key: str, value: int, ttl: float) -> str:
        ms = max(1, int(ttl * 1000))
        return str(await self._client.eval(_SET_MAX, 1, self._ns + key, value, ms))  # type: ignore[misc]

    async def ttl(self, key: str) -> float | None:
        ms = await self._client.pttl(self._ns + key)
        return None if ms is None or ms < 0 else ms / 1000

    async def ping(self) -> bool:
        return bool(await self._client.ping())  # type: ignore[misc]

    async def close(self) -> None:
        await self._client.aclose()


class _RedisSubscription:
    def __init__(self, pubsub: Any) -> None:
        self._pubsub = pubsub

    def __aiter__(self) -> AsyncIterator[str]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[str]:
        async for message in self._pubsub.listen():
            if message.get("type") == "message":
                yield str(message["data"])


SUBSCRIBE_TIMEOUT_SECONDS = 5.0


class RedisBroker:
    backend_name = "redis"

    def __init__(self, url: str, namespace: str) -> None:
        import redis.asyncio as aioredis

        self._client = aioredis.from_url(url, decode_responses=True)
        self._ns = namespace + ":ch:"

    async def publish(self, channel: str, message: str) -> None:
        await self._client.publish(self._ns + channel, message)

    async def publish_many(self, messages: list[tuple[str, str]]) -> None:
        if not messages:
            return
        async with self._client.pipeline(transaction=False) as pipe:
            for channel, message in messages:
                pipe.publish(self._ns + channel, message)
            await pipe.execute()

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[_RedisSubscription]:
        """Subscribed once Redis has confirmed it: every message published after this returns is received
        (SUBSCRIBE only sends the command; a publish on another connection could otherwise overtake it)."""
        pubsub = self._client.pubsub()
        try:
            await pubsub.subscribe(self._ns + channel)
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT_SECONDS):
                while True:
                    reply = await pubsub.get_message(timeout=SUBSCRIBE_TIMEOUT_SECONDS)
                    if reply is not None and reply.get("type") == "subscribe":
                        break
        except BaseException:
            await pubsub.aclose()
            raise
        try:
            yield _RedisSubscription(pubsub)
        finally:
            await pubsub.unsubscribe(self._ns + channel)
            await pubsub.aclose()

    async def close(self) -> None:
        await self._client.aclose()


# --- process-wide instances ----------------------------------------------------------------------

_cache: Cache | None = None
_security: Cache | None = None
_broker: Broker | None = None


def build_cache(redis_url: str | None, namespace: str) -> Cache:
    if redis_url:
        return RedisCache(redis_url, namespace)
    return MemoryCache(max_bytes=get_settings().cache_max_mb * 1024 * 1024)


def build_broker(redis_url: str | None, namespace: str) -> Broker:
    return RedisBroker(redis_url, namespace) if redis_url else MemoryBroker()


def get_cache() -> Cache:
    global _cache
    if _cache is None:
        settings = get_settings()
        _cache = build_cache(settings.redis_url, settings.cache_namespace)
    return _cache


def get_security_cache() -> Cache:
    """The store of security state: Redis when the cache is Redis, else an in-process one that never evicts."""
    global _security
    if _security is None:
        cache = get_cache()
        _security = cache if isinstance(cache, RedisCache) else MemoryCache(max_bytes=math.inf)
    return _security


def get_broker() -> Broker:
    global _broker
    if _broker is None:
        settings = get_settings()
        _broker = build_broker(settings.redis_url, settings.cache_namespace)
    return _broker


def set_cache_and_broker(cache: Cache | None, broker: Broker | None, *, security: Cache | None = None) -> None:
    """Replace the process-wide instances (tests, and after settings change); the security store follows the
    cache unless given."""
    global _cache, _broker, _security
    _cache, _broker, _security = cache, broker, security
