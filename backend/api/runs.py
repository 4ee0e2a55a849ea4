"""Runs over HTTP (tenant routes: X-Space-Id required): start a run in a conversation, read it and its event
log, follow it live as Server-Sent Events, stop it, resume it.

The event log is the source of truth: `GET /runs/{id}/events?after=N` pages it, and the SSE stream replays it
from `Last-Event-ID` (or `?after=N`) before following live, so a client that reconnects loses nothing and sees
nothing twice. Stop is a flag on the run (`POST /runs/{id}/cancel`), never a disconnect.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from backend.api.deps import MAX_OFFSET, Ctx
from backend.core.errors import BadRequest
from backend.runs import service
from backend.runs.events import RunEventPublic
from backend.runs.schemas import RunCreate, RunPublic

router = APIRouter(tags=["runs"])

HEARTBEAT_SECONDS = 15.0
"""An SSE comment line after this long without an event, so proxies keep the connection open."""


class RunAccepted(BaseModel):
    """A run was queued; follow it with its id."""

    run_id: str
    status: str


@router.post(
    "/conversations/{conversation_id}/runs",
    status_code=202,
    operation_id="start_run",
    response_model=RunAccepted,
    summary="Answer a message in the conversation with its agent (editors); follow the run by its id",
)
async def start_run(conversation_id: str, body: RunCreate, ctx: Ctx) -> RunAccepted:
    run = await service.start_run(ctx, conversation_id, body.message, body.document_ids)
    return RunAccepted(run_id=str(run.id), status=run.status)


@router.get(
    "/conversations/{conversation_id}/runs",
    operation_id="list_runs",
    response_model=list[RunPublic],
    summary="The conversation's runs, newest first",
)
async def list_runs(conversation_id: str, ctx: Ctx) -> list[RunPublic]:
    return await service.list_runs(ctx, conversation_id)


@router.get("/runs/{run_id}", operation_id="get_run", response_model=RunPublic, summary="One run and its status")
async def get_run(run_id: str, ctx: Ctx) -> RunPublic:
    return await service.get_run(ctx, run_id)


@router.get(
    "/runs/{run_id}/events",
    operation_id="list_run_events",
    response_model=list[RunEventPublic],
    summary="The run's events after sequence `after`, in order (sequences 1..n without gaps)",
    description=(
        "Event types: status, token, step, tool_call, tool_result, citation, error, complete. A `complete` "
        "event's payload is `{stop_reason, message, citations, unsupported_claims}` with `stop_reason` one of "
        "completed, max_iterations, contaminated, error, cancelled, or interrupted (the worker died mid-run: "
        "`message` is the partial answer and `partial` is true; `POST /runs/{id}/resume` continues the run, whose "
        "next attempt starts with a `status` event and ends with its own `complete`). The `complete` event's "
        "`message` replaces the text of the attempt's `token` events; when the answer was blocked "
        "(`contaminated`) it is a notice and those token events are stored with `text` empty and `redacted` true."
    ),
)
async def list_run_events(
    run_id: str, ctx: Ctx, after: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0
) -> list[RunEventPublic]:
    return await service.list_events(ctx, run_id, after)


@router.post(
    "/runs/{run_id}/cancel",
    status_code=202,
    operation_id="cancel_run",
    response_model=RunPublic,
    summary="Stop the run (editors): it stops within a second and keeps what was written",
)
async def cancel_run(run_id: str, ctx: Ctx) -> RunPublic:
    return await service.cancel_run(ctx, run_id)


@router.post(
    "/runs/{run_id}/resume",
    status_code=202,
    operation_id="resume_run",
    response_model=RunPublic,
    summary="Queue an interrupted run again (editors); its events continue from the next sequence",
)
async def resume_run(run_id: str, ctx: Ctx) -> RunPublic:
    return await service.resume_run(ctx, run_id)


def _start_after(after: int | None, last_event_id: str | None) -> int:
    if last_event_id is None or not last_event_id.strip():
        return after or 0
    try:
        return max(int(last_event_id.strip()), 0)
    except ValueError:
        raise BadRequest("Last-Event-ID must be an event sequence number.", code="bad_last_event_id") from None


def sse_frame(event: RunEventPublic) -> str:
    """One event as an SSE frame: its sequence as the id, its type as the event name, its payload as data."""
    return f"id: {event.sequence}\nevent: {event.type}\ndata: {json.dumps(event.payload, default=str)}\n\n"


async def _frames(events: AsyncIterator[RunEventPublic], heartbeat: float) -> AsyncIterator[str]:
    queue: asyncio.Queue[RunEventPublic | None] = asyncio.Queue()

    async def pump() -> None:
        try:
            async for event in events:
                await queue.put(event)
        finally:
            await queue.put(None)

    task = asyncio.create_task(pump())
    try:
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=heartbeat)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if event is None:
                break
            yield sse_frame(event)
        await task  # re-raises what went wrong while following
    finally:
        task.cancel()


@router.get(
    "/runs/{run_id}/stream",
    operation_id="stream_run",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
            "description": "Server-Sent Events: `id: <sequence>`, `event: <type>`, `data: <payload JSON>`",
        }
    },
    summary="Follow the run as Server-Sent Events: replayed after Last-Event-ID (or ?after=N), then live",
)
async def stream_run(
    run_id: str,
    ctx: Ctx,
    after: Annotated[int | None, Query(ge=0, le=MAX_OFFSET)] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    start = _start_after(after, last_event_id)
    await service.get_run(ctx, run_id)  # 404 before the stream opens, for another space's run too
    return StreamingResponse(
        _frames(service.follow_run(ctx, run_id, start), HEARTBEAT_SECONDS),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
