"""A run's first search, started before the graph runs (a prefetch).

The first step of every new turn searches the space for the user's message (`Nodes.retrieve`). What it
searches for is known as soon as the agent's config is read: the message, the @-mentioned documents, the
agent's collections and top_k. Everything else a turn does before the graph's first step (the tools' view
of the space, the checkpoint connection, LangGraph reading the thread's last checkpoint and storing the
new input) does not change that search. So the runner starts it right after the config is read
(`SearchPrefetch.start`) and the `retrieve` node takes the running search instead of starting its own
(`take`): the search overlaps the turn's set-up instead of following it.

- Only the first retrieval of a new turn is prefetched (the key holds the run id, cycle 0, the query and the
  documents); a later retrieval, a resumed run, or a state that differs in any of these searches itself.
- The search is the node's own (`search_passages`) with the same retriever (bound to the run's space) and the
  run's usage meter: nothing is searched that the node would not search, nor booked elsewhere.
- Failures surface where the node's own search would raise them (the node reports `retrieve failed`); a
  prefetch nobody takes (the turn ended or failed first, Stop before the first step) is cancelled and its
  outcome dropped (`drop`).

Measured with bench/bench_runs.py's first-token scenario: see bench/results/runs.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import asdict
from typing import Any

from backend.agents.tools.base import Passage
from backend.agents.types import RetrievalConfig
from backend.core.db import TenantScope

Found = list[dict[str, Any]]


async def search_passages(
    retriever: Any, scope: TenantScope, retrieval: RetrievalConfig, query: str, documents: tuple[str, ...]
) -> Found:
    """The passages a retrieval step finds for `query` (as state dicts): the agent's collections first; a
    space that has not tagged its documents still gets answers from everything it holds."""
    found: list[Passage] = await retriever(
        scope, query, tags=retrieval.collections, top_k=retrieval.top_k, document_ids=documents
    )
    if retrieval.collections and not any(p.document_id or p.source_url for p in found):
        found = await retriever(scope, query, tags=(), top_k=retrieval.top_k, document_ids=documents)
    return [asdict(p) for p in found]


def first_search_key(
    run_id: Any, query: str, documents: tuple[str, ...], *, cycle: int = 0, known: int = 0
) -> tuple[Any, ...]:
    """What a prefetched search stands in for: the retrieval step of run `run_id` in `cycle` with `known`
    passages already in its context (a prefetch is made for cycle 0 with none), for `query` in `documents`."""
    return (str(run_id), cycle, known, query, tuple(str(d) for d in documents))


def forget_failure(task: asyncio.Task[Found]) -> None:
    """A dropped search's failure is not reported as never retrieved (nobody asked for it)."""
    if not task.cancelled():
        task.exception()


class SearchPrefetch:
    """The run's first search, running before its `retrieve` step asks for it (one per run, in its context)."""

    def __init__(self) -> None:
        self._task: asyncio.Task[Found] | None = None
        self._key: Any = None
        self.taken = False

    def start(self, search: Coroutine[Any, Any, Found], *, key: Any) -> None:
        """Run `search` now (in the caller's context: its meter books the search's model calls)."""
        self.drop()
        self._task = asyncio.create_task(search, name="prefetched-search")
        self._task.add_done_callback(forget_failure)
        self._key = key

    def adopt(self, task: asyncio.Task[Found], *, key: Any) -> None:
        """Stand for `task`, a search for `key` started elsewhere (the run's early search, `agents.early`)."""
        self.drop()
        self._task, self._key = task, key

    def take(self, key: Any) -> asyncio.Task[Found] | None:
        """The running search when it was started for `key` (once); any other is dropped."""
        task, self._task = self._task, None
        if task is not None and self._key != key:
            task.cancel()
            return None
        if task is not None:
            self.taken = True
        return task

    def drop(self) -> None:
        """Cancel a search nobody took (the turn ended first)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()


__all__ = ["SearchPrefetch", "first_search_key", "forget_failure", "search_passages"]
