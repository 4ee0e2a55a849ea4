"""The in-process and Redis backends pass the same tests (Redis: the real server on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from backend.core.cache import Broker, Cache, MemoryBroker, MemoryCache, RedisBroker, RedisCache, get_json, set_json


@pytest.fixture(params=["memory", "redis"])
async def backends(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Cache, Broker]]:
    if request.param == "memory":
        cache: Cache = MemoryCache()
        broker: Broker = MemoryBroker()
    else:
        url = request.getfixturevalue("redis_url")
        namespace = f"test-{uuid.uuid4().hex[:8]}"
        cache, broker = RedisCache(url, namespace), RedisBroker(url, namespace)
    yield cache, broker
    await cache.close()
    await broker.close()


async def test_set_get_delete(backends: tuple[Cache, Broker]) -> None:
    cache, _ = backends
    assert await cache.get("missing") is None
    await cache.set("k", "v", ttl=30)
    assert await cache.get("k") == "v"
    assert await cache.exists("k")
    await cache.delete("k")
    assert await cache.get("k") is None
    assert not await cache.exists("k")


async def test_values_expire_after_their_own_ttl(backends: tuple[Cache, Broker]) -> None:
    cache, _ = backends
    await cache.set("short", "1", ttl=0.2)
    await cache.set("long", "2", ttl=30)
    remaining = await cache.ttl("long")
    assert remaining is not None and 25 < remaining <= 30
    await asyncio.sleep(0.35)
    assert await cache.get("short") is None
    assert await cache.get("long") == "2"


async def test_counter_window(backends: tuple[Cache, Broker]) -> None:
    cache, _ = backends
    assert [await cache.incr("c", ttl=0.3) for _ in range(3)] == [1, 2, 3]
    await asyncio.sleep(0.45)
    assert await cache.incr("c", ttl=0.3) == 1, "a counter starts again after its window"


async def test_json_helpers(backends: tuple[Cache, Broker]) -> None:
    cache, _ = backends
    await set_json(cache, "j", {"a": [1, 2]}, ttl=10)
    assert await get_json(cache, "j") == {"a": [1, 2]}


async def test_publish_reaches_every_subscriber_of_the_channel_only(backends: tuple[Cache, Broker]) -> None:
    _, broker = backends
    received: dict[str, list[str]] = {"a1": [], "a2": [], "b": []}
    ready = asyncio.Event()
    opened = 0

    async def listen(name: str, channel: str, count: int) -> None:
        nonlocal opened
        async with broker.subscribe(channel) as sub:
            opened += 1
            if opened == 3:
                ready.set()
            async for message in sub:
                received[name].append(message)
                if len(received[name]) == count:
                    return

    tasks = [
        asyncio.create_task(listen("a1", "space-a", 2)),
        asyncio.create_task(listen("a2", "space-a", 2)),
        asyncio.create_task(listen("b", "space-b", 1)),
    ]
    await asyncio.wait_for(ready.wait(), 5)  # every subscription is confirmed: nothing published now is missed
    await broker.publish("space-a", "one")
    await broker.publish("space-a", "two")
    await broker.publish("space-b", "only-b")
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert received == {"a1": ["one", "two"], "a2": ["one", "two"], "b": ["only-b"]}


async def test_set_max_never_lowers_and_keeps_a_marker(backends: tuple[Cache, Broker]) -> None:
    cache, _ = backends
    assert await cache.set_max("gen", 3, ttl=30) == "3"
    assert await cache.set_max("gen", 2, ttl=30) == "3"
    assert await cache.get("gen") == "3"
    assert await cache.set_max("gen", 4, ttl=30) == "4"
    await cache.set("off", "disabled", ttl=30)
    assert await cache.set_max("off", 9, ttl=30) == "disabled"


async def test_add_and_decr(backends: tuple[Cache, Broker]) -> None:
    cache, _ = backends
    assert await cache.add("gate", "1", ttl=30) and not await cache.add("gate", "1", ttl=30)
    assert await cache.decr("missing") == 0 and await cache.get("missing") is None
    await cache.incr("n", ttl=30)
    await cache.incr("n", ttl=30)
    assert await cache.decr("n") == 1
