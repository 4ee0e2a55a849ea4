"""A run's first search starts when the run is accepted, when this process's worker will execute it; the turn
takes that search instead of searching again, and only when it searched exactly what the turn would."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from backend.agents import early
from backend.agents import service as agents
from backend.agents.early import early_searches
from backend.agents.types import RetrievalConfig
from backend.core.config import get_settings
from backend.core.db import Database
from backend.core.errors import Conflict
from backend.documents import ingest
from backend.documents import service as documents
from backend.documents.storage import LocalFileStorage, set_storage
from backend.models.chat_fake import make_fake_chat
from backend.retrieval.retriever import ParallelRetriever
from backend.runs import executor, service, tasks
from backend.tenancy.context import SpaceContext
from tests.db.test_runs_support import PLAN, conversation, create_space, tool_env

SHEET = b"# Lumen CRM\n\nLumen CRM suits independent retailers: set-up takes a day and plans start at 19 EUR.\n"
ANSWER = "Lumen CRM plans start at 19 EUR [S1]."


class Searches:
    """Counts the space searches made (the real retriever does them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.queries: list[str] = []
        real = ParallelRetriever.retrieve

        async def counted(retriever: ParallelRetriever, query: str, **kwargs: Any) -> Any:
            self.queries.append(query)
            return await real(retriever, query, **kwargs)

        monkeypatch.setattr(ParallelRetriever, "retrieve", counted)


@pytest.fixture
async def library(
    committed_db: Database, memory_backends: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SpaceContext]:
    """A space holding one product sheet; runs are queued nowhere, and a worker runs in this process."""
    set_storage(LocalFileStorage(tmp_path / "files"))

    async def nowhere(*args: Any) -> None:
        return None

    monkeypatch.setattr(ingest, "defer_ingestion", nowhere)
    monkeypatch.setattr(tasks, "defer_run", nowhere)
    monkeypatch.setattr(service, "worker_here", lambda: True)
    ctx = await create_space(committed_db, "lumen")
    sheet = (await documents.add_upload(ctx, data=SHEET, filename="lumen.md")).document
    await ingest.run_ingestion(ctx.scope, sheet.id)
    yield ctx
    early_searches().clear()
    set_storage(None)


async def _execute(ctx: SpaceContext, run_id: uuid.UUID) -> str | None:
    """Execute the run as the worker does (the space's own retriever), with scripted models."""

    async def as_starter(scope: Any, user_id: uuid.UUID) -> SpaceContext:
        return ctx

    return await executor.execute_run(
        ctx.scope,
        run_id,
        load_context=as_starter,
        llm=make_fake_chat([ANSWER]),
        fast_llm=make_fake_chat(PLAN, role="fast"),
        tools={},
        tool_env=tool_env(ctx.scope),
    )


async def test_the_turn_takes_the_search_started_when_its_run_was_accepted(
    library: SpaceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    searches = Searches(monkeypatch)
    question = "What do Lumen CRM plans cost?"
    run = await service.start_run(library, await conversation(library), question)
    assert len(early_searches()) == 1, "the search starts with the accepted run"
    pending = early_searches()._pending[str(run.id)]
    found = await pending.task  # done before the run reaches a worker
    assert "Lumen CRM" in [p["document_title"] for p in found] and searches.queries

    made = len(searches.queries)
    assert await _execute(library, run.id) == "completed"
    assert len(searches.queries) == made, "the turn searched nothing again"
    assert len(early_searches()) == 0
    stored = await service.list_events(library, run.id)
    citations = [e.payload for e in stored if e.type == "citation"]
    assert citations and {c["chunk_id"] for c in citations} <= {p["chunk_id"] for p in found}
    assert stored[-1].type == "complete" and stored[-1].payload["message"] == ANSWER


async def test_a_search_for_another_retrieval_config_is_not_taken_the_turn_searches_again(
    library: SpaceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    searches = Searches(monkeypatch)
    chat = await conversation(library)
    run = await service.start_run(library, chat, "What do Lumen CRM plans cost?")
    pending = early_searches()._pending[str(run.id)]
    await pending.task
    made = len(searches.queries)
    # An admin narrows the agent's collections before the worker picks the run up.
    real = agents.conversation_and_config

    async def narrowed(ctx: SpaceContext, conversation_id: Any) -> Any:
        conversation, config = await real(ctx, conversation_id)
        retrieval = RetrievalConfig(collections=("pricing",), top_k=config.retrieval_config.top_k)
        return conversation, replace(config, retrieval_config=retrieval)

    monkeypatch.setattr(agents, "conversation_and_config", narrowed)
    assert await _execute(library, run.id) == "completed"
    assert len(searches.queries) > made, "the turn searched for its own config"
    assert len(early_searches()) == 0


async def test_a_refused_start_leaves_no_search_and_no_worker_here_starts_none(
    library: SpaceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = await conversation(library)
    first = await service.start_run(library, chat, "What do Lumen CRM plans cost?")
    with pytest.raises(Conflict):
        await service.start_run(library, chat, "And the set-up time?")
    assert list(early_searches()._pending) == [str(first.id)], "the refused run's search was dropped"

    monkeypatch.setattr(service, "worker_here", lambda: False)  # a separate worker process executes runs
    await service.start_run(library, await conversation(library), "Who is Lumen CRM for?")
    assert list(early_searches()._pending) == [str(first.id)]

    monkeypatch.setattr(service, "worker_here", lambda: True)
    monkeypatch.setattr(service, "get_settings", lambda: get_settings().model_copy(update={"run_early_search": False}))
    await service.start_run(library, await conversation(library), "Is there a free plan?")
    assert list(early_searches()._pending) == [str(first.id)]


async def test_stopping_a_queued_run_drops_its_early_search(library: SpaceContext) -> None:
    run = await service.start_run(library, await conversation(library), "What do Lumen CRM plans cost?")
    assert str(run.id) in early_searches()._pending
    await service.cancel_run(library, run.id)
    assert str(run.id) not in early_searches()._pending, "nobody will take it"


async def test_early_searches_are_bounded_in_number_and_in_time(
    library: SpaceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(early, "MAX_PENDING", 3)
    runs = [uuid.uuid4() for _ in range(4)]
    for run in runs:
        early_searches().start(library, run, RetrievalConfig(), "plans", ())
    assert list(early_searches()._pending) == [str(r) for r in runs[1:]], "the oldest was dropped"

    monkeypatch.setattr(early, "EXPIRE_SECONDS", 0.0)
    late = uuid.uuid4()
    early_searches().start(library, late, RetrievalConfig(), "plans", ())
    task = early_searches()._pending[str(late)].task
    await asyncio.wait({task})
    assert task.cancelled() and str(late) not in early_searches()._pending, "expired unused"
