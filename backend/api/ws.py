"""`WS /api/v1/ws`: follow, start and stop runs over one WebSocket (the contract is in API.md).

The first frame must be `{"type": "auth", "token": <JWT>, "space_id": <uuid>}`, within AUTH_TIMEOUT_SECONDS;
the connection then acts in that one space, with the caller's role there, like a tenant route with
`X-Space-Id`. After `{"type": "ready"}` the client sends, in any order and as often as it likes:

  {"type": "subscribe", "run_id", "after"?, "batch"?}  replay the run after `after` (default 0), then live
  {"type": "resume", "run_id", "last_sequence", "batch"?}   the same, after the last sequence the client has
  {"type": "unsubscribe", "run_id"}
  {"type": "message", "conversation_id", "message", "document_ids"?}   start a run (editors); subscribed at once
  {"type": "cancel", "run_id"}                          Stop (editors): a flag on the run, never a disconnect
  {"type": "ping"}

and receives each run event as `{"type": <event type>, "run_id", "sequence", "payload", "created_at"}`,
exactly once and in order per subscription (the same `follow_run` as the SSE stream); with `"batch": true`
several at a time, as `{"type": "events", "run_id", "events": [{"type", "sequence", "payload", "created_at"},
...]}` (a replay page of up to 1,000 events, or what arrived live together: a 10,000-event replay is ten
frames instead of 10,000). Plus control frames:
`ready`, `subscribed`, `unsubscribed`, `run_started`, `cancel_requested`, `pong`, `heartbeat` (every
HEARTBEAT_SECONDS), and `request_error` `{code, message}` for a request that was refused; the connection
stays open after a `request_error`. A client may add an `id` to any request: its replies carry it back.
`request_error` is not the run event type `error`, so a client never mistakes one for the other.

The connection is closed, with a code and a reason `<code>: <message>`, when:
  4400 the first frame is not a valid `auth` frame;   4401 the token is missing, invalid, expired, revoked
  or superseded (checked again at every heartbeat, so a logout ends open sockets too);   4403 the caller has
  no role in the space (same answer whether or not it exists; also checked at every heartbeat);
  4404 a request names a run that is not in this space (same answer for another space's run and for no
  run at all);   4408 no `auth` frame in time;   1011 an unexpected server error.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from backend.core.errors import AppError, Forbidden, NotFound, Unauthorized
from backend.core.logging import log_context
from backend.runs import service
from backend.runs.events import RunEventPublic, dumps_wire
from backend.tenancy.access import authenticate, resolve_space_context
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)

router = APIRouter(tags=["runs"])

AUTH_TIMEOUT_SECONDS = 10.0
HEARTBEAT_SECONDS = 15.0
"""A `heartbeat` frame this often; the token and the membership are checked again each time."""
OUTBOX_SIZE = 1000
"""Frames (an item may be one batch's per-event frames) waiting for a slow client; followers wait
when it is full (their events wait in the log)."""
MAX_SUBSCRIPTIONS = 50

CLOSE_PROTOCOL, CLOSE_AUTH, CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_TIMEOUT = 4400, 4401, 4403, 4404, 4408
CLOSE_SERVER_ERROR = 1011


class Closing(Exception):
    """Ends the connection with a WebSocket close code and a reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def _reason(error: AppError) -> str:
    text = f"{error.code}: {error.message}"
    return text.encode()[:123].decode(errors="ignore")  # a close reason is at most 123 bytes


def _closing_for(error: AppError) -> Closing:
    if isinstance(error, Unauthorized):
        return Closing(CLOSE_AUTH, _reason(error))
    if isinstance(error, Forbidden):
        return Closing(CLOSE_FORBIDDEN, _reason(error))
    return Closing(CLOSE_PROTOCOL, _reason(error))


async def _authenticate(token: Any, space_id: Any) -> SpaceContext:
    """The caller's context in the space, or Closing (4401 / 4403)."""
    try:
        principal = await authenticate(token if isinstance(token, str) else None)
        return await resolve_space_context(principal, space_id)
    except (Unauthorized, Forbidden) as error:
        raise _closing_for(error) from None


class Connection:
    """One authenticated socket: its subscriptions (one follower task per run) and one writer."""

    def __init__(self, websocket: WebSocket, ctx: SpaceContext, token: str) -> None:
        self.websocket, self.ctx, self.token = websocket, ctx, token
        # Frames are serialised by whoever queues them: a follower turns a page of events into text once
        # (one frame, or a list of per-event frames queued as one item), so the writer only sends.
        self.outbox: asyncio.Queue[str | list[str]] = asyncio.Queue(OUTBOX_SIZE)
        self.following: dict[str, asyncio.Task[None]] = {}

    async def send(self, frame: dict[str, Any]) -> None:
        await self.outbox.put(dumps_wire(frame).decode())

    async def write(self) -> None:
        """The only task that writes to the socket (Starlette's send is not safe from several tasks)."""
        while True:
            item = await self.outbox.get()
            if isinstance(item, str):
                await self.websocket.send_text(item)
            else:
                for text in item:
                    await self.websocket.send_text(text)

    async def heartbeat(self) -> None:
        """A heartbeat frame every HEARTBEAT_SECONDS; ends the connection when the token or access is gone."""
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            self.ctx = await _authenticate(self.token, self.ctx.space_id)
            await self.send({"type": "heartbeat", "time": datetime.now(UTC).isoformat()})

    async def handle(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        reply: dict[str, Any] = {"id": frame["id"]} if "id" in frame else {}
        try:
            if kind in ("subscribe", "resume"):
                after = frame.get("after", 0) if kind == "subscribe" else frame.get("last_sequence", 0)
                await self.subscribe(frame.get("run_id"), after, reply, batch=frame.get("batch") is True)
            elif kind == "unsubscribe":
                run_id = str(frame.get("run_id"))
                task = self.following.pop(run_id, None)
                if task is not None:
                    task.cancel()
                await self.send({"type": "unsubscribed", "run_id": run_id, **reply})
            elif kind == "message":
                documents = frame.get("document_ids") or []
                if not isinstance(documents, list):
                    raise _bad("document_ids must be a list of document ids.", "bad_document_ids")
                run = await service.start_run(
                    self.ctx, frame.get("conversation_id"), _text(frame.get("message")), documents
                )
                await self.send(
                    {"type": "run_started", "run_id": str(run.id), "conversation_id": str(run.conversation_id), **reply}
                )
                await self.subscribe(str(run.id), 0, reply)
            elif kind == "cancel":
                run = await self._run_or_close(frame.get("run_id"), lambda rid: service.cancel_run(self.ctx, rid))
                await self.send({"type": "cancel_requested", "run_id": str(run.id), "status": run.status, **reply})
            elif kind == "ping":
                await self.send({"type": "pong", **reply})
            elif kind == "auth":
                raise _bad("This connection is already authenticated.", "already_authenticated")
            else:
                raise _bad(
                    "Unknown message type. Send one of: subscribe, resume, unsubscribe, message, cancel, ping.",
                    "unknown_message_type",
                )
        except Closing:
            raise
        except AppError as error:
            await self.send({"type": "request_error", "code": error.code, "message": error.message, **reply})

    async def _run_or_close(self, run_id: Any, call: Any) -> Any:
        """`call(run_id)`; a run that is not in this space (or does not exist) closes the connection (4404)."""
        try:
            return await call(run_id)
        except NotFound as error:
            raise Closing(CLOSE_NOT_FOUND, _reason(error)) from None

    async def subscribe(self, run_id: Any, after: Any, reply: dict[str, Any], *, batch: bool = False) -> None:
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            raise _bad("The sequence to continue after must be a whole number from 0.", "bad_sequence")
        run = await self._run_or_close(run_id, lambda rid: service.get_run(self.ctx, rid))
        key = str(run.id)
        previous = self.following.pop(key, None)
        if previous is not None:
            previous.cancel()
        if len(self.following) >= MAX_SUBSCRIPTIONS:
            raise _bad(f"At most {MAX_SUBSCRIPTIONS} runs can be followed on one connection.", "too_many_subscriptions")
        await self.send({"type": "subscribed", "run_id": key, "after": after, **reply})
        self.following[key] = asyncio.create_task(self.follow(key, after, batch), name=f"ws-follow-{key}")

    async def follow(self, run_id: str, after: int, batch: bool = False) -> None:
        try:
            async with contextlib.aclosing(service.follow_run_batches(self.ctx, run_id, after)) as batches:
                async for events in batches:
                    if batch:
                        await self.outbox.put(batch_frame(run_id, events))
                    else:
                        prefix = event_prefix(run_id)
                        await self.outbox.put([event_frame(prefix, event) for event in events])
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("following a run over the WebSocket failed", extra={"run_id": run_id})
            await self.send(
                {
                    "type": "request_error",
                    "code": "follow_failed",
                    "message": "Following this run failed. Resume from the last sequence you have.",
                    "run_id": run_id,
                }
            )
        finally:
            if self.following.get(run_id) is asyncio.current_task():
                del self.following[run_id]

    async def close_all(self) -> None:
        tasks = list(self.following.values())
        self.following.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def batch_frame(run_id: str, events: list[RunEventPublic]) -> str:
    """Several events of a run as one `events` frame (serialised once, without per-event dicts)."""
    return dumps_wire({"type": "events", "run_id": run_id, "events": events}).decode()


def event_prefix(run_id: str) -> bytes:
    return b'{"run_id":' + orjson.dumps(run_id) + b","


def event_frame(prefix: bytes, event: RunEventPublic) -> str:
    """A run event as the WebSocket carries it: `{"run_id", **event.to_wire()}`, as text."""
    return (prefix + dumps_wire(event)[1:]).decode()


def _bad(message: str, code: str) -> AppError:
    return AppError(message, code=code)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _bad("`message` must be text.", "bad_message")
    return value


def _parse(raw: str) -> dict[str, Any] | None:
    try:
        frame = json.loads(raw)
    except ValueError:
        return None
    return frame if isinstance(frame, dict) else None


async def _first_frame(websocket: WebSocket) -> tuple[SpaceContext, str]:
    """The caller's context and token from the `auth` frame, or Closing."""
    try:
        raw = await asyncio.wait_for(websocket.receive_text(), AUTH_TIMEOUT_SECONDS)
    except TimeoutError:
        raise Closing(CLOSE_TIMEOUT, "auth_timeout: send an auth frame first.") from None
    frame = _parse(raw)
    if frame is None or frame.get("type") != "auth":
        raise Closing(
            CLOSE_PROTOCOL, 'auth_required: the first frame must be {"type": "auth", "token": ..., "space_id": ...}.'
        )
    if not frame.get("token"):
        raise Closing(CLOSE_AUTH, "missing_token: the auth frame has no access token.")
    if not frame.get("space_id"):
        raise Closing(CLOSE_PROTOCOL, "space_id_required: the auth frame needs the id of the space you act in.")
    token = str(frame["token"])
    return await _authenticate(token, frame["space_id"]), token


async def _read(websocket: WebSocket, connection: Connection) -> None:
    while True:
        raw = await websocket.receive_text()
        frame = _parse(raw)
        if frame is None:
            await connection.send(
                {"type": "request_error", "code": "bad_frame", "message": "Each frame must be a JSON object."}
            )
            continue
        await connection.handle(frame)


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    if websocket.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(Exception):
            await websocket.close(code=code, reason=reason)


@router.websocket("/ws")
async def runs_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    connection: Connection | None = None
    tasks: list[asyncio.Task[Any]] = []
    try:
        ctx, token = await _first_frame(websocket)
        connection = Connection(websocket, ctx, token)
        with log_context(user_id=ctx.user_id, space_id=ctx.space_id):
            await connection.send({"type": "ready", "space_id": str(ctx.space_id), "role": ctx.role})
            tasks = [
                asyncio.create_task(connection.write(), name="ws-writer"),
                asyncio.create_task(connection.heartbeat(), name="ws-heartbeat"),
                asyncio.create_task(_read(websocket, connection), name="ws-reader"),
            ]
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # raises Closing, a disconnect, or what went wrong
    except Closing as closing:
        await _close(websocket, closing.code, closing.reason)
    except WebSocketDisconnect:
        pass
    except Exception:
        logger.exception("the runs WebSocket failed")
        await _close(websocket, CLOSE_SERVER_ERROR, "server_error: something went wrong; reconnect and resume.")
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if connection is not None:
            await connection.close_all()
