"""Runs: what the UI and the API call. `ctx` first; policy here, SQL in `repository`.

Every function that takes a run id answers NotFound, with one body, for a malformed id, a missing run and
another space's run (the same organization's other spaces included): no existence oracle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncGenerator, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from backend.agents import service as agents
from backend.agents.early import early_searches, start_early_search
from backend.agents.runner import clean_message
from backend.agents.types import AgentConfig
from backend.core.config import get_settings
from backend.core.db import get_database
from backend.core.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from backend.jobs import worker_here
from backend.models.accounting import ensure_within_budget
from backend.runs import fanout, recovery, repository, tasks
from backend.runs.events import RunEventPublic
from backend.runs.models import ACTIVE_STATUSES, AgentRun
from backend.runs.schemas import MAX_DOCUMENTS, RunPublic
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)

RUN_NOT_FOUND = "No such run in this space."
BUSY = "This conversation is still answering. Wait for it to finish or stop it first."
NOT_QUEUED = "The run could not be queued (the job queue is unavailable). Try again in a moment; you can resume it."
MAX_EVENTS_PAGE = 5000


def _run_id(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound(RUN_NOT_FOUND, code="run_not_found") from None


def _require_editor(ctx: SpaceContext) -> None:
    if not ctx.can("editor"):
        raise Forbidden("Your role in this space is read-only.", code="editor_required")


def _found(run: AgentRun | None) -> AgentRun:
    if run is None:
        raise NotFound(RUN_NOT_FOUND, code="run_not_found")
    return run


async def start_run(
    ctx: SpaceContext, conversation_id: Any, message: str, document_ids: Iterable[str] = ()
) -> RunPublic:
    """Queue a run answering `message` in the conversation (editors); Conflict while another is active.

    The run is stored with its first event (`status: queued`) before its job is deferred, so a client can
    follow it, and Stop it, as soon as it has the id.
    """
    _require_editor(ctx)
    text = clean_message(message)
    documents = list(dict.fromkeys(str(d) for d in document_ids))
    if len(documents) > MAX_DOCUMENTS:
        raise ValidationFailed(f"Mention at most {MAX_DOCUMENTS} documents.", code="too_many_documents")
    scope = ctx.scope
    # Refused here with a 429 the client sees, rather than a queued run that fails when its job starts. Read
    # while the conversation is (two round trips at once); a missing conversation still answers first.
    budget = asyncio.create_task(ensure_within_budget(scope), name="run-budget-check")
    try:
        # NotFound for another space's; the agent's config for the early search.
        conversation, config = await agents.conversation_and_config(ctx, conversation_id)
        await budget
    finally:
        if not budget.done():
            budget.cancel()
            with contextlib.suppress(BaseException):
                await budget
    run_id = uuid.uuid4()
    _search_early(ctx, run_id, config, text, documents)
    try:
        async with get_database().tenant(scope, user_id=ctx.user_id) as session:
            if await repository.active_run_id(session, scope, conversation_id=conversation.id) is not None:
                raise Conflict(BUSY, code="run_active")
            run = await repository.add_run(
                session,
                scope,
                conversation_id=conversation.id,
                agent=conversation.agent,
                message=text,
                document_ids=documents,
                user_id=ctx.user_id,
                run_id=run_id,
            )
            stored = await repository.append_events(
                session, scope, run_id=run.id, events=[("status", {"status": "queued"})]
            )
            run.last_sequence = stored[-1].sequence
    except BaseException as error:
        early_searches().drop(run_id)  # the run was not stored: nobody will take its search
        if isinstance(error, IntegrityError):
            # Two starts raced past the check: the one-active-run index let only one of them in.
            raise Conflict(BUSY, code="run_active") from None
        raise
    await fanout.publish(scope, run.id, stored)
    await _defer(ctx, run.id)
    return RunPublic.of(run)


def _search_early(ctx: SpaceContext, run_id: uuid.UUID, config: AgentConfig, text: str, documents: list[str]) -> None:
    """Start the run's first search now when this process's worker will execute the run (`agents.early`)."""
    if get_settings().run_early_search and worker_here():
        start_early_search(ctx, run_id, config.retrieval_config, text, tuple(documents))


async def _defer(ctx: SpaceContext, run_id: uuid.UUID) -> None:
    """Queue the run's job; when the queue cannot take it, the run fails visibly instead of waiting forever."""
    try:
        await tasks.defer_run(ctx.scope, run_id)
    except Exception:
        logger.exception("could not queue a run", extra={"run_id": str(run_id)})
        early_searches().drop(run_id)
        await recovery.interrupt_run(ctx.scope, run_id, reason=NOT_QUEUED)
        raise ServiceUnavailable(NOT_QUEUED, code="run_not_queued") from None


async def get_run(ctx: SpaceContext, run_id: Any) -> RunPublic:
    rid = _run_id(run_id)
    async with get_database().tenant(ctx.scope) as session:
        return RunPublic.of(_found(await repository.get_run(session, ctx.scope, run_id=rid)))


async def list_events(
    ctx: SpaceContext, run_id: Any, after: int = 0, limit: int = MAX_EVENTS_PAGE
) -> list[RunEventPublic]:
    """The run's stored events after sequence `after`, in order (a page of at most `limit`)."""
    rid = _run_id(run_id)
    async with get_database().tenant(ctx.scope) as session:
        _found(await repository.get_run(session, ctx.scope, run_id=rid))
        return await repository.list_events(
            session, ctx.scope, run_id=rid, after=max(0, int(after)), limit=max(1, min(limit, MAX_EVENTS_PAGE))
        )


async def follow_run(ctx: SpaceContext, run_id: Any, after: int = 0) -> AsyncGenerator[RunEventPublic, None]:
    """Every event after `after`, replayed then live, exactly once, until the run ends (see `fanout`)."""
    rid = _run_id(run_id)
    async with get_database().tenant(ctx.scope) as session:
        _found(await repository.get_run(session, ctx.scope, run_id=rid))
    async for event in fanout.follow(ctx.scope, rid, max(0, int(after))):
        yield event


async def follow_run_batches(
    ctx: SpaceContext, run_id: Any, after: int = 0
) -> AsyncGenerator[list[RunEventPublic], None]:
    """`follow_run` a batch at a time (a replay page, a live message; see `fanout.follow_batches`)."""
    rid = _run_id(run_id)
    async with get_database().tenant(ctx.scope) as session:
        _found(await repository.get_run(session, ctx.scope, run_id=rid))
    async with contextlib.aclosing(fanout.follow_batches(ctx.scope, rid, max(0, int(after)))) as batches:
        async for batch in batches:
            yield batch


async def cancel_run(ctx: SpaceContext, run_id: Any) -> RunPublic:
    """Stop the run (editors). A queued run is cancelled at once and never starts; a running one stops at
    its next token or step; a finished one is left as it is (Stop is idempotent)."""
    _require_editor(ctx)
    rid = _run_id(run_id)
    scope = ctx.scope
    stored: list[RunEventPublic] = []
    async with get_database().tenant(scope) as session:
        run = _found(await repository.get_run(session, scope, run_id=rid, lock=True))
        if run.status in ACTIVE_STATUSES:
            run.cancel_requested = True
        if run.status == "queued":
            stored = await repository.append_events(
                session,
                scope,
                run_id=rid,
                events=[
                    (
                        "complete",
                        {
                            "stop_reason": "cancelled",
                            "message": "_(Stopped before an answer was written.)_",
                            "citations": [],
                            "unsupported_claims": [],
                        },
                    )
                ],
            )
            run.status, run.stop_reason, run.finished_at = "cancelled", "cancelled", datetime.now(UTC)
            run.last_sequence = stored[-1].sequence
    if stored:
        early_searches().drop(rid)  # the run never starts: its early search is not waited for
    if run.status == "running":
        # After the commit: the worker that hears it reads a flag that is already set.
        await fanout.publish_control(scope, rid, fanout.STOP_COMMAND)
    await fanout.publish(scope, rid, stored)
    return RunPublic.of(run)


async def resume_run(ctx: SpaceContext, run_id: Any) -> RunPublic:
    """Queue an interrupted run again (editors); its events continue from the next sequence."""
    _require_editor(ctx)
    rid = _run_id(run_id)
    scope = ctx.scope
    try:
        async with get_database().tenant(scope, user_id=ctx.user_id) as session:
            run = _found(await repository.get_run(session, scope, run_id=rid, lock=True))
            if run.status != "interrupted":
                raise Conflict("Only an interrupted run can be resumed.", code="run_not_interrupted")
            if await repository.active_run_id(session, scope, conversation_id=run.conversation_id) is not None:
                raise Conflict(BUSY, code="run_active")
            run.status, run.cancel_requested, run.error, run.finished_at = "queued", False, None, None
            run.stop_reason = None
            await session.flush()
            stored = await repository.append_events(
                session, scope, run_id=rid, events=[("status", {"status": "queued", "resumed": True})]
            )
            run.last_sequence = stored[-1].sequence
    except IntegrityError:
        raise Conflict(BUSY, code="run_active") from None
    await fanout.publish(scope, rid, stored)
    await _defer(ctx, rid)
    return RunPublic.of(run)


async def list_runs(ctx: SpaceContext, conversation_id: Any, *, limit: int = 50) -> list[RunPublic]:
    """The conversation's runs, newest first."""
    conversation = await agents.get_conversation(ctx, conversation_id)
    async with get_database().tenant(ctx.scope) as session:
        rows = await repository.list_runs(
            session, ctx.scope, conversation_id=conversation.id, limit=max(1, min(limit, 200))
        )
    return [RunPublic.of(r) for r in rows]


__all__ = [
    "cancel_run",
    "follow_run",
    "follow_run_batches",
    "get_run",
    "list_events",
    "list_runs",
    "resume_run",
    "start_run",
]
