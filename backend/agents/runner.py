"""The entry point that drives one turn of a conversation through the graph and reports every event.

`run_turn(ctx, conversation_id, message, emit=...)` checks that the conversation belongs to the caller's space,
builds (or takes) the models, retriever and tools, opens the space's checkpointer, runs the graph on the
thread `<space id>:<conversation id>` and calls `emit(type, payload)` for each event in order. The Runs domain
persists and fans those events out; tests pass a list's `append`.

Before the graph's first step, a turn reads at once what it needs (the conversation and its agent's config,
the space's token budget, the tools' view of the space, a checkpoint connection), and starts the first
search as soon as the config is known (`graph.prefetch`): that search no longer waits for the checkpointer,
the tools' document list or LangGraph's first checkpoint. Measured with bench/bench_runs.py's first-token
scenario (see bench/results/runs.md).

A conversation continues where it was after a restart: its messages are in the checkpoints, not in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.errors import GraphRecursionError

from backend.agents import service
from backend.agents.checkpoint import open_checkpointer, thread_id
from backend.agents.early import early_searches
from backend.agents.graph.checks import final_message
from backend.agents.graph.context import AgentContext, Retriever, RunParts
from backend.agents.graph.graph import graph_on, recursion_limit
from backend.agents.graph.prefetch import SearchPrefetch, first_search_key, search_passages
from backend.agents.graph.spotlight import unmark
from backend.agents.graph.state import initial_input
from backend.agents.schemas import ConversationPublic
from backend.agents.tools import TOOLS
from backend.agents.tools.base import AgentTool, Passage, ToolEnv
from backend.agents.tools.env import space_tool_env
from backend.agents.types import AgentConfig
from backend.core.config import get_settings
from backend.core.db import TenantScope
from backend.core.errors import ValidationFailed
from backend.models.accounting import ensure_within_budget, metered
from backend.models.registry import chat_provider, get_chat_model
from backend.retrieval.retriever import ParallelRetriever
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)

Emit = Callable[[str, dict[str, Any]], Awaitable[None] | None]
MAX_MESSAGE = 20_000
_URL = re.compile(r"https?://[^\s<>()\"']+")


@dataclass(slots=True)
class TurnOutcome:
    """How a turn ended, as the `complete` event says it."""

    stop_reason: str
    message: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    unsupported_claims: list[dict[str, Any]] = field(default_factory=list)
    contamination: dict[str, Any] | None = None
    thread_id: str = ""
    model: str | None = None
    """The model that wrote the answer, and the version of the prompts it wrote with (`prompts.prompt_version`)."""
    prompt_version: str | None = None


class SpaceRetriever:
    """The parallel retriever of one space behind the graph's `Retriever` protocol. It refuses any other scope.

    Agents search without the query rewrite (`retrieval.enhance`): its model call sits before the first token
    (the retriever waits for the variants, then searches them), and an agent already refines its searches
    itself (`search_more` with a query of its own, tools). Measured with bench/bench_runs.py's first-token
    scenario (a 300 ms fake model, 100k chunks): the rewrite cost one model call plus about 80 ms of variant
    searches before the answer started."""

    def __init__(self, ctx: SpaceContext, retriever: ParallelRetriever | None = None) -> None:
        self.ctx = ctx
        self.retriever = retriever or ParallelRetriever(ctx)

    async def __call__(
        self, scope: TenantScope, query: str, *, tags: tuple[str, ...], top_k: int, document_ids: tuple[str, ...]
    ) -> list[Passage]:
        if scope != self.ctx.scope:
            raise RuntimeError("this retriever serves another space")
        response = await self.retriever.retrieve(
            query, document_ids=document_ids, tags=tags, top_k=top_k, enhance=False
        )
        return [
            Passage(
                chunk_id=r.candidate.chunk_id,
                document_id=r.candidate.document_id,
                document_title=r.candidate.document_title,
                heading_path=tuple(r.candidate.heading_path),
                page=r.candidate.page,
                content=r.candidate.content,
                source_url=r.candidate.source_url,
                scan_version=r.candidate.scan_version,
                released=r.candidate.released,
            )
            for r in response.results
        ]


@dataclass(frozen=True, slots=True)
class _TurnOptions:
    """What `run_turn` was asked for beyond the space, the conversation and the message (see its docstring)."""

    emit: Emit
    run_id: str | None
    document_ids: tuple[str, ...]
    should_stop: Callable[[], bool]
    llm: BaseChatModel | None
    fast_llm: BaseChatModel | None
    retriever: Retriever | None
    tools: dict[str, AgentTool] | None
    tool_env: ToolEnv | None
    spotlight: bool
    checkpoint_url: str | None
    resume: bool
    speculative_write: bool | None


def clean_message(message: str | None) -> str:
    """The user's message, trimmed; refused when empty or longer than MAX_MESSAGE (every door checks the same)."""
    text = (message or "").strip()
    if not text:
        raise ValidationFailed("The message is empty.", code="empty_message")
    if len(text) > MAX_MESSAGE:
        raise ValidationFailed(f"A message can be at most {MAX_MESSAGE:,} characters.", code="message_too_long")
    return text


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _outcome(payload: dict[str, Any], thread: str) -> TurnOutcome:
    return TurnOutcome(
        stop_reason=payload["stop_reason"],
        message=payload["message"],
        citations=payload.get("citations") or [],
        unsupported_claims=payload.get("unsupported_claims") or [],
        contamination=payload.get("contamination"),
        thread_id=thread,
        model=payload.get("model"),
        prompt_version=payload.get("prompt_version"),
    )


def _answer_of(values: dict[str, Any], run: str) -> dict[str, Any] | None:
    """The `complete` payload of this run's answer when the checkpoint already holds it (the graph finished
    the turn, then its worker died before the run's end was recorded)."""
    messages = values.get("messages") or []
    last = messages[-1] if messages else None
    kwargs = getattr(last, "additional_kwargs", None) or {}
    if last is None or getattr(last, "type", None) != "ai" or kwargs.get("run_id") != run:
        return None
    return {
        "stop_reason": kwargs.get("stop_reason") or "completed",
        "message": last.content if isinstance(last.content, str) else str(last.content),
        "citations": kwargs.get("citations") or [],
        "unsupported_claims": kwargs.get("unsupported_claims") or [],
        "contamination": kwargs.get("contamination"),
        "model": kwargs.get("model"),
        "prompt_version": kwargs.get("prompt_version"),
    }


def stopped_message(partial: str) -> str:
    """The answer of a run stopped after writing `partial` (what the graph's `finish` says for a Stop)."""
    return final_message("cancelled", unmark(partial), {}, 0)


STOP_SAVE_SECONDS = 5.0
"""How long saving a stopped answer may take before the cancellation goes on without it."""


async def _save_stopped(
    ctx: SpaceContext, graph_on: Callable[[Any], Any], config: RunnableConfig, run: str, partial: str, url: str | None
) -> None:
    """Write the stopped answer into the thread as the `finish` node would have (on a new connection: the
    cancelled one may be mid-statement)."""
    message = stopped_message(partial)
    answer = AIMessage(
        content=message,
        additional_kwargs={
            "run_id": run,
            "citations": [],
            "stop_reason": "cancelled",
            "unsupported_claims": [],
            "contamination": None,
            "created_at": datetime.now(UTC).isoformat(),
        },
    )
    update = {"messages": [answer], "stop_reason": "cancelled", "cancelled": True, "draft": unmark(partial)}
    try:
        async with asyncio.timeout(STOP_SAVE_SECONDS), open_checkpointer(ctx.scope, url) as saver:
            await graph_on(saver).aupdate_state(config, update, as_node="finish")
    except Exception:
        logger.warning("could not save a stopped answer in the conversation", exc_info=True)


def _speculates(asked: bool | None, llm: BaseChatModel | None) -> bool:
    if asked is not None:
        return asked
    settings = get_settings()
    return settings.agent_speculative_write and (llm is not None or chat_provider(settings) != "local")


def urls_in(text: str) -> list[str]:
    return [u.rstrip(".,;:!?") for u in _URL.findall(text)]


async def run_turn(
    ctx: SpaceContext,
    conversation_id: Any,
    message: str,
    *,
    emit: Emit,
    run_id: str | None = None,
    document_ids: Iterable[str] = (),
    should_stop: Callable[[], bool] = lambda: False,
    llm: BaseChatModel | None = None,
    fast_llm: BaseChatModel | None = None,
    retriever: Retriever | None = None,
    tools: dict[str, AgentTool] | None = None,
    tool_env: ToolEnv | None = None,
    spotlight: bool = True,
    checkpoint_url: str | None = None,
    resume: bool = False,
    speculative_write: bool | None = None,
) -> TurnOutcome:
    """Answer `message` in the conversation with its agent; every event goes to `emit` as it happens.

    `resume=True` (a run's later attempt, after its worker died) never answers the message twice: when the
    thread's checkpoint already holds this run's answer, that answer is emitted as the `complete` event
    without calling a model; when the run stopped inside the graph, the graph continues from its last
    checkpoint; when the run never reached the graph, the turn starts as new.

    When the turn is cancelled outright after Stop (`should_stop()` true: a model call that would not reach
    a check in time), the text written so far is saved in the conversation as a stopped answer before the
    cancellation goes on, so the conversation shows what the run's `complete` event says.

    `speculative_write` (default: the `AGENT_SPECULATIVE_WRITE` setting, off for the embedded local models,
    whose writing call would compete with the decision call for the same CPU) starts the writing call beside
    the decision call (`graph.speculation`).
    """
    text = clean_message(message)
    # The checkpoint connection opens while the conversation and its settings are read: a new connection
    # (a server process started, authentication) is the longest single wait before the graph runs.
    opening = asyncio.create_task(_open_saver(ctx.scope, checkpoint_url), name="checkpoint-connection")
    try:
        options = _TurnOptions(
            emit=emit, run_id=run_id, document_ids=tuple(str(d) for d in document_ids), should_stop=should_stop,
            llm=llm, fast_llm=fast_llm, retriever=retriever, tools=tools, tool_env=tool_env, spotlight=spotlight,
            checkpoint_url=checkpoint_url, resume=resume, speculative_write=speculative_write,
        )  # fmt: skip
        return await _run_turn(ctx, conversation_id, text, opening, options)
    finally:
        await _discard(opening)


async def _open_saver(scope: TenantScope, url: str | None) -> tuple[Any, Any]:
    manager = open_checkpointer(scope, url)
    return manager, await manager.__aenter__()


async def _discard(opening: asyncio.Task[tuple[Any, Any]]) -> None:
    """Close the checkpoint connection if `run_turn` did not take it (it failed before the graph)."""
    if not opening.done():
        opening.cancel()
    with contextlib.suppress(BaseException):
        manager, _ = await opening
        if not getattr(manager, "_taken", False):
            await manager.__aexit__(None, None, None)


@contextlib.asynccontextmanager
async def _opened(opening: asyncio.Task[tuple[Any, Any]]) -> AsyncIterator[Any]:
    """The saver `opening` connects; its connection is closed when the block ends."""
    manager, saver = await opening
    manager._taken = True
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_exit(manager)
        yield saver


async def _run_turn(
    ctx: SpaceContext, conversation_id: Any, text: str, opening: asyncio.Task[tuple[Any, Any]], options: _TurnOptions
) -> TurnOutcome:
    # Everything a turn reads before its graph runs is read at once: the conversation and its agent's config,
    # the space's budget, the tools' view of the space, and (in `run_turn`) the checkpoint connection. Each is
    # one or more database round trips; one after the other they were most of the time before the search.
    budget = asyncio.create_task(ensure_within_budget(ctx.scope), name="run-budget-check")
    reading_env = (
        None
        if options.tool_env is not None
        else asyncio.create_task(space_tool_env(ctx, allowed_urls=urls_in(text)), name="run-tool-env")
    )
    try:
        # 404 for another space's id; the thread is then built from the caller's scope, never from a client.
        conversation, config = await service.conversation_and_config(ctx, conversation_id)
        await budget
        return await _graph_turn(ctx, conversation, config, text, opening, reading_env, options)
    finally:
        for task in (budget, reading_env):
            if task is not None:
                await _settled(task)


async def _settled(task: asyncio.Task[Any]) -> None:
    """Cancel `task` if it still runs and wait for it; its failure, if any, was the caller's to raise."""
    if not task.done():
        task.cancel()
    with contextlib.suppress(BaseException):
        await task


@contextlib.asynccontextmanager
async def _first_search(
    ctx: SpaceContext,
    parts: RunParts,
    config: AgentConfig,
    text: str,
    documents: tuple[str, ...],
    run: str,
    resume: bool,
    own_retriever: bool,
) -> AsyncIterator[SearchPrefetch]:
    """The run's first search, started now (inside the run's meter, which books its model calls) while the
        tools' view, the checkpoint connection and LangGraph's first checkpoint are still on their way; the
        `retrieve` step takes it (`graph.prefetch`); when the run's early search (`agents.early`, started as the run
    was accepted) searched the same, that one stands in. Not for a resumed run: its graph may continue elsewhere."""
    prefetch = SearchPrefetch()
    if not resume:
        key = first_search_key(run, text, documents)
        early = (
            early_searches().take(ctx.scope, run, config.retrieval_config, text, documents) if own_retriever else None
        )
        if early is not None:
            prefetch.adopt(early, key=key)  # started when the run was accepted (`agents.early`)
        else:
            search = search_passages(parts.retriever, ctx.scope, config.retrieval_config, text, documents)
            prefetch.start(search, key=key)
    try:
        yield prefetch
    finally:
        prefetch.drop()  # a search the graph never asked for (the turn ended or failed before it)


async def _graph_turn(
    ctx: SpaceContext,
    conversation: ConversationPublic,
    config: AgentConfig,
    text: str,
    opening: asyncio.Task[tuple[Any, Any]],
    reading_env: asyncio.Task[ToolEnv] | None,
    options: _TurnOptions,
) -> TurnOutcome:
    emit, run_id, should_stop, llm = options.emit, options.run_id, options.should_stop, options.llm
    retriever, resume, checkpoint_url = options.retriever, options.resume, options.checkpoint_url
    thread = thread_id(ctx.scope, conversation.id)
    # The run's models, retriever (bound to this space) and tools travel in its runtime context: the graph
    # itself is compiled once per process and shared by every run (`graph.shared_graph`).
    parts = RunParts(
        llm=llm or get_chat_model("main"),
        fast_llm=options.fast_llm or get_chat_model("fast"),
        retriever=retriever or SpaceRetriever(ctx),
        tools=options.tools if options.tools is not None else TOOLS,
    )
    run = run_id or str(uuid.uuid4())
    run_uuid = _as_uuid(run)
    documents = options.document_ids
    outcome = TurnOutcome(stop_reason="error", message="", thread_id=thread)

    run_config: RunnableConfig = {
        "configurable": {"thread_id": thread},
        "recursion_limit": recursion_limit(config.max_iterations),
    }
    drafted: list[str] = []

    async def send(kind: str, payload: dict[str, Any]) -> None:
        result = emit(kind, payload)
        if result is not None:
            await result

    # The budget was checked above, beside the conversation's read.
    async with (
        metered(ctx.scope, run_id=run_uuid),
        _first_search(ctx, parts, config, text, documents, run, resume, retriever is None) as prefetch,
    ):
        env = await reading_env if reading_env is not None else options.tool_env
        assert env is not None
        context = AgentContext(
            scope=ctx.scope,
            config=config,
            tool_env=env,
            spotlight=options.spotlight,
            should_stop=should_stop,
            brand_voice=dict(ctx.brand_voice or {}),
            parts=parts,
            speculative_write=_speculates(options.speculative_write, llm),
            prefetch=prefetch,
        )
        async with _opened(opening) as saver:
            graph = graph_on(saver)
            inputs: dict[str, Any] | None = initial_input(text, run_id=run, document_ids=list(documents))
            if resume:
                snapshot = await graph.aget_state(run_config)
                saved = _answer_of(snapshot.values or {}, run)
                if saved is not None:
                    await send("complete", saved)
                    return _outcome(saved, thread)
                if (snapshot.values or {}).get("run_id") == run and snapshot.next:
                    inputs = None  # LangGraph continues from the checkpoint's pending nodes
            try:
                async for event in graph.astream(inputs, run_config, context=context, stream_mode="custom"):
                    kind, payload = event["type"], event["payload"]
                    if kind == "complete":
                        outcome = _outcome(payload, thread)
                    elif kind == "token":
                        drafted.append(str(payload.get("text") or ""))
                    elif kind == "step" and payload.get("name") == "write" and payload.get("status") == "started":
                        drafted.clear()
                    await send(kind, payload)
            except GraphRecursionError:
                note = f"Stopped: the agent took more than {run_config['recursion_limit']} steps."
                outcome = TurnOutcome(stop_reason="max_iterations", message=note, thread_id=thread)
                await send("error", {"message": note})
                ended = {"stop_reason": "max_iterations", "message": note, "citations": [], "unsupported_claims": []}
                await send("complete", ended)
            except asyncio.CancelledError:
                context.speculation.drop()
                if should_stop():
                    await asyncio.shield(
                        _save_stopped(ctx, graph_on, run_config, run, "".join(drafted), checkpoint_url)
                    )
                raise
            finally:
                context.speculation.drop()  # a writing call started for an `act` that never came
    await service.record_turn(ctx, conversation.id, first_message=text)
    return outcome


__all__ = [
    "MAX_MESSAGE",
    "SpaceRetriever",
    "TurnOutcome",
    "clean_message",
    "run_turn",
    "stopped_message",
    "urls_in",
]
