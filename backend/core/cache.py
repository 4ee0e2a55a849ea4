"""One interface for a TTL cache and for publish/subscribe.

Redis backs both when REDIS_URL is set (shared by every worker and machine); otherwise in-process
structures do (cachetools for the cache, asyncio queues for the broker), which is right for one process.
Callers build keys and channel names with the tenant scope in them; this layer adds only a namespace.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
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

    async def ttl(self, key: str) -> float | None: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


class Subscription(Protocol):
    def __aiter__(self) -> AsyncIterator[str]: ...


class Broker(Protocol):
    backend_name: str

    async def publish(self, channel: str, message: str) -> None: ...
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


class MemoryCache:
    backend_name = "in-process"

    def __init__(self, maxsize: int = 100_000) -> None:
        # The value is stored with its own deadline so every key can have its own TTL.
        self._data: TLRUCache[str, tuple[str, float]] = TLRUCache(
            maxsize=maxsize, ttu=lambda _k, v, _now: v[1], timer=time.monotonic
        )

    async def get(self, key: str) -> str | None:
        item = self._data.get(key)
        return None if item is None else item[0]

    async def set(self, key: str, value: str, ttl: float) -> None:
        self._data[key] = (value, time.monotonic() + ttl)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._data.pop(key, None)

    async def exists(self, key: str) -> bool:
        return key in self._data

    async def incr(self, key: str, ttl: float) -> int:
        item = self._data.get(key)
        if item is None:
            self._data[key] = ("1", time.monotonic() + ttl)
            return 1
        value = int(item[0]) + 1
        self._data[key] = (str(value), item[1])
        return value

    async def ttl(self, key: str) -> float | None:
        item = self._data.get(key)
        return None if item is None else max(0.0, item[1] - time.monotonic())

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
_broker: Broker | None = None


def build_cache(redis_url: str | None, namespace: str) -> Cache:
    return RedisCache(redis_url, namespace) if redis_url else MemoryCache()


def build_broker(redis_url: str | None, namespace: str) -> Broker:
    return RedisBroker(redis_url, namespace) if redis_url else MemoryBroker()


def get_cache() -> Cache:
    global _cache
    if _cache is None:
        settings = get_settings()
        _cache = build_cache(settings.redis_url, settings.cache_namespace)
    return _cache


def get_broker() -> Broker:
    global _broker
    if _broker is None:
        settings = get_settings()
        _broker = build_broker(settings.redis_url, settings.cache_namespace)
    return _broker


def set_cache_and_broker(cache: Cache | None, broker: Broker | None) -> None:
    """Replace the process-wide instances (tests, and after settings change)."""
    global _cache, _broker
    _cache, _broker = cache, broker
