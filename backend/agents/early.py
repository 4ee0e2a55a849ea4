"""A run's first search, started when the run is accepted (an early search).

The runner already starts a turn's first search as soon as the agent's config is read (`graph.prefetch`).
Before that moment a run still waits for its start request to be answered, the job queue to hand it to a
worker, the claim's transaction and the turn's first reads: about half of the platform's time before the
first token (bench/bench_runs.py's first-token scenario, see bench/results/runs.md). Yet everything the
first search needs is known when the run is accepted: the space, the message, the @-mentioned documents and
the agent's retrieval config. So `runs.service.start_run` starts that search here, keyed by the new run's id,
and the turn that executes the run takes it (`take`) instead of searching again.

Only when the run will be executed in this process can the turn find it: the web process's own job worker
(`RUN_WORKER_IN_APP`, the embedded default) takes the run's job, so `start_run` asks only when a worker is
running here. A run executed elsewhere (a separate worker process, another app process) never asks; its
early search expires unused after `EXPIRE_SECONDS` (one wasted search, the price of the bet).

What keeps it exact and isolated:
- a search is taken only by a turn of the same run, in the same space, for the same query, documents and
  retrieval config (an admin's change of the agent's collections in between makes the turn search again),
  and only when the turn uses the space's own retriever (tests that script a retriever search themselves);
- the search is the node's own (`prefetch.search_passages`) through the space's retriever (`SpaceRetriever`,
  bound to the scope: it refuses any other), metered to the run like the turn's own model calls;
- at most `MAX_PENDING` searches wait at once (the oldest is dropped first) and each waits at most
  `EXPIRE_SECONDS`, so a queue backlog cannot make them pile up; a search nobody takes is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from backend.agents.graph.prefetch import Found, first_search_key, forget_failure, search_passages
from backend.agents.types import RetrievalConfig
from backend.core.db import TenantScope
from backend.models.accounting import metered
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)

EXPIRE_SECONDS = 30.0
"""How long an early search waits for its run's turn (a run still queued after that searches again)."""
MAX_PENDING = 64
"""Early searches waiting at once in one process (beyond it the oldest is dropped)."""


@dataclass(slots=True)
class _Pending:
    scope: TenantScope
    key: tuple[Any, ...]
    retrieval: RetrievalConfig
    task: asyncio.Task[Found]
    timer: asyncio.TimerHandle


class EarlySearches:
    """The early searches of one process, by run id."""

    def __init__(self) -> None:
        self._pending: OrderedDict[str, _Pending] = OrderedDict()

    def __len__(self) -> int:
        return len(self._pending)

    def start(
        self,
        ctx: SpaceContext,
        run_id: uuid.UUID | str,
        retrieval: RetrievalConfig,
        query: str,
        documents: tuple[str, ...],
        *,
        retriever: Any = None,
    ) -> None:
        """Start run `run_id`'s first search now (`retriever`: the space's own unless a caller passes one)."""
        from backend.agents.runner import SpaceRetriever  # the runner imports this module

        run, scope = str(run_id), ctx.scope
        self.drop(run)
        while len(self._pending) >= MAX_PENDING:
            self.drop(next(iter(self._pending)))
        search_with = retriever if retriever is not None else SpaceRetriever(ctx)
        run_uuid = run_id if isinstance(run_id, uuid.UUID) else uuid.UUID(run)

        async def search() -> Found:
            async with metered(scope, run_id=run_uuid):
                return await search_passages(search_with, scope, retrieval, query, documents)

        task = asyncio.create_task(search(), name=f"early-search-{run}")
        task.add_done_callback(forget_failure)  # the turn searches again and reports its own
        timer = asyncio.get_running_loop().call_later(EXPIRE_SECONDS, self.drop, run)
        self._pending[run] = _Pending(scope, first_search_key(run, query, documents), retrieval, task, timer)

    def take(
        self, scope: TenantScope, run_id: str, retrieval: RetrievalConfig, query: str, documents: tuple[str, ...]
    ) -> asyncio.Task[Found] | None:
        """The early search of this run when it searched exactly what its turn would (once); else None (and a
        search that does not match is cancelled)."""
        pending = self._pending.pop(str(run_id), None)
        if pending is None:
            return None
        pending.timer.cancel()
        if (
            pending.scope != scope
            or pending.key != first_search_key(run_id, query, documents)
            or pending.retrieval != retrieval
        ):
            pending.task.cancel()
            return None
        return pending.task

    def drop(self, run_id: uuid.UUID | str) -> None:
        """Cancel run `run_id`'s early search if nobody took it (its start failed, it expired)."""
        pending = self._pending.pop(str(run_id), None)
        if pending is not None:
            with contextlib.suppress(RuntimeError):  # a loop that has closed (tests) has nothing left to cancel
                pending.timer.cancel()
                pending.task.cancel()

    def clear(self) -> None:
        for run in list(self._pending):
            self.drop(run)


_searches: EarlySearches | None = None


def early_searches() -> EarlySearches:
    """This process's early searches."""
    global _searches
    if _searches is None:
        _searches = EarlySearches()
    return _searches


def start_early_search(
    ctx: SpaceContext, run_id: uuid.UUID, retrieval: RetrievalConfig, query: str, documents: tuple[str, ...]
) -> None:
    """Start the first search of a run this process's worker will execute (never fails the caller: the turn
    then searches itself)."""
    try:
        early_searches().start(ctx, run_id, retrieval, query, documents)
    except Exception:
        logger.warning("could not start a run's early search", exc_info=True)


__all__ = ["EXPIRE_SECONDS", "MAX_PENDING", "EarlySearches", "early_searches", "start_early_search"]
