"""The run's prefetched first search: taken once, only by the step it was started for; otherwise dropped."""

from __future__ import annotations

import asyncio
from typing import Any

from backend.agents.graph.prefetch import SearchPrefetch, first_search_key


async def test_a_prefetched_search_is_taken_once_by_its_own_step_and_dropped_for_any_other() -> None:
    release = asyncio.Event()

    async def search() -> list[dict[str, Any]]:
        await release.wait()
        return [{"chunk_id": "c1"}]

    prefetch = SearchPrefetch()
    prefetch.start(search(), key=first_search_key("run-1", "pricing", ("d1",)))
    taken = prefetch.take(first_search_key("run-1", "pricing", ("d1",)))
    assert taken is not None and prefetch.taken
    assert prefetch.take(first_search_key("run-1", "pricing", ("d1",))) is None, "taken once"
    release.set()
    assert await taken == [{"chunk_id": "c1"}]

    for other in (
        first_search_key("run-1", "pricing", ("d1",), cycle=1),  # a later cycle's retrieval
        first_search_key("run-1", "pricing", ("d1",), known=3),  # passages already found
        first_search_key("run-1", "plans", ("d1",)),  # another query
        first_search_key("run-1", "pricing", ()),  # other documents
        first_search_key("run-2", "pricing", ("d1",)),  # another run
    ):
        prefetch = SearchPrefetch()
        prefetch.start(search(), key=first_search_key("run-1", "pricing", ("d1",)))
        running = prefetch._task
        assert prefetch.take(other) is None and not prefetch.taken
        assert running is not None
        await asyncio.wait({running})
        assert running.cancelled(), "a search started for another step is cancelled, never used"


async def test_a_search_nobody_took_is_cancelled_and_its_failure_is_not_raised() -> None:
    async def failing() -> list[dict[str, Any]]:
        raise RuntimeError("the search failed")

    prefetch = SearchPrefetch()
    prefetch.start(failing(), key=first_search_key("run-1", "q", ()))
    running = prefetch._task
    assert running is not None
    await asyncio.wait({running})
    prefetch.drop()  # the turn ended first: nothing to raise, nothing left running
    assert prefetch.take(first_search_key("run-1", "q", ())) is None
