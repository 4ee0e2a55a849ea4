"""`WS /api/v1/ws` through a real server (uvicorn on a socket, the whole Reflex + FastAPI app) and a real
WebSocket client: authentication and its close codes, runs started, followed, resumed and stopped over the
socket, another space's run refused, and two connections on one run. Runs execute directly in the test (no
worker) on a committing database, like `test_runs_api.py`."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from backend.api import ws as ws_route
from backend.core.db import TenantScope
from backend.models.chat_fake import make_fake_chat
from backend.runs import executor
from tests.db.test_runs_support import slow_chat, turn_options
from tests.support.servers import serve_here
from tests.support.tenants import Tenant, new_tenant

ANSWER = " ".join(f"word{i}" for i in range(60)) + " [S1]."


@pytest.fixture
async def server(asgi_app: Any, committed_db: Any, memory_backends: None) -> AsyncIterator[str]:
    async with serve_here(asgi_app) as url:
        yield url


@pytest.fixture
async def http(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, timeout=30) as client:
        yield client


def _ws_url(server: str) -> str:
    return server.replace("http://", "ws://") + "/api/v1/ws"


async def _open(server: str, who: Tenant, space_id: str | None = None) -> ClientConnection:
    """A connection authenticated as `who` in their space (or `space_id`), past its `ready` frame."""
    socket = await connect(_ws_url(server))
    await socket.send(json.dumps({"type": "auth", "token": who.token, "space_id": space_id or who.space_id}))
    ready = json.loads(await socket.recv())
    assert ready["type"] == "ready" and ready["space_id"] == (space_id or who.space_id), ready
    return socket


async def _closed(socket: ClientConnection) -> tuple[int, str]:
    """Read until the server closes; its close code and reason."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await socket.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def _next(socket: ClientConnection, *types: str) -> dict[str, Any]:
    """The next frame of one of `types` (heartbeats skipped)."""
    while True:
        frame: dict[str, Any] = json.loads(await socket.recv())
        if frame["type"] in types:
            return frame
        assert frame["type"] == "heartbeat", frame


async def _events_until_complete(
    socket: ClientConnection, run_id: str, events: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    events = list(events or [])
    while True:
        frame = json.loads(await socket.recv())
        if frame["type"] in ("heartbeat", "subscribed"):
            continue
        assert frame["run_id"] == run_id and "sequence" in frame, frame
        events.append(frame)
        if frame["type"] == "complete":
            return events


async def _conversation(http: httpx.AsyncClient, owner: Tenant) -> str:
    made = await http.post("/api/v1/conversations", json={"agent": "seo"}, headers=owner.headers())
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _wire(events: list[dict[str, Any]]) -> list[tuple[int, str, dict[str, Any]]]:
    return [(e["sequence"], e["type"], e["payload"]) for e in events]


async def test_the_socket_refuses_bad_auth_with_clear_close_codes(
    server: str, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = await new_tenant("ada", "Alpha", client=http)
    eve = await new_tenant("eve", "Bravo", client=http)
    url = _ws_url(server)

    async with connect(url) as socket:  # anything but auth first
        await socket.send(json.dumps({"type": "subscribe", "run_id": str(uuid.uuid4())}))
        code, reason = await _closed(socket)
        assert code == 4400 and reason.startswith("auth_required")
    async with connect(url) as socket:
        await socket.send("not json")
        assert (await _closed(socket))[0] == 4400
    async with connect(url) as socket:
        await socket.send(json.dumps({"type": "auth", "token": "forged.token.value", "space_id": ada.space_id}))
        code, reason = await _closed(socket)
        assert code == 4401 and reason.startswith("invalid_token")
    async with connect(url) as socket:
        await socket.send(json.dumps({"type": "auth", "space_id": ada.space_id}))
        assert await _closed(socket) == (4401, "missing_token: the auth frame has no access token.")
    async with connect(url) as socket:
        await socket.send(json.dumps({"type": "auth", "token": ada.token}))
        assert (await _closed(socket))[0] == 4400
    # Another organization's space and a space that does not exist get one answer: no existence oracle.
    answers = []
    for space in (eve.space_id, str(uuid.uuid4()), "not-a-uuid"):
        async with connect(url) as socket:
            await socket.send(json.dumps({"type": "auth", "token": ada.token, "space_id": space}))
            answers.append(await _closed(socket))
    assert answers[0][0] == 4403 and answers[0][1].startswith("space_forbidden") and len(set(answers)) == 1

    monkeypatch.setattr(ws_route, "AUTH_TIMEOUT_SECONDS", 0.2)
    async with connect(url) as socket:
        code, reason = await _closed(socket)
        assert code == 4408 and reason.startswith("auth_timeout")

    # A token revoked while its socket is open: the next heartbeat's check closes it.
    monkeypatch.setattr(ws_route, "HEARTBEAT_SECONDS", 0.1)
    socket = await _open(server, ada)
    assert (await _next(socket, "heartbeat"))["type"] == "heartbeat"
    assert (await http.post("/api/v1/auth/logout", headers=ada.headers())).status_code == 204
    code, reason = await _closed(socket)
    assert code == 4401 and reason.startswith("token_revoked")
    # ...and a revoked token cannot open a new one.
    async with connect(url) as socket:
        await socket.send(json.dumps({"type": "auth", "token": ada.token, "space_id": ada.space_id}))
        code, reason = await _closed(socket)
        assert code == 4401 and reason.startswith("token_revoked")


async def test_a_run_is_started_followed_and_resumed_over_the_socket(
    server: str, http: httpx.AsyncClient, queued: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    ada = await new_tenant("ada", "Alpha", client=http)
    conversation = await _conversation(http, ada)
    socket = await _open(server, ada)

    await socket.send(json.dumps({"type": "hello"}))
    refused = await _next(socket, "request_error")
    assert refused["code"] == "unknown_message_type" and "subscribe" in refused["message"]
    await socket.send("[1, 2]")
    assert (await _next(socket, "request_error"))["code"] == "bad_frame"
    await socket.send(json.dumps({"type": "ping", "id": 7}))
    assert await _next(socket, "pong") == {"type": "pong", "id": 7}
    await socket.send(json.dumps({"type": "message", "conversation_id": conversation, "message": "   "}))
    assert (await _next(socket, "request_error"))["code"] == "empty_message"

    await socket.send(
        json.dumps({"type": "message", "conversation_id": conversation, "message": "How did Acme grow?", "id": "m1"})
    )
    started = await _next(socket, "run_started")
    run_id = started["run_id"]
    assert started["conversation_id"] == conversation and started["id"] == "m1"
    subscribed = await _next(socket, "subscribed")
    assert subscribed == {"type": "subscribed", "run_id": run_id, "after": 0, "id": "m1"}
    # The conversation is busy: a second message is refused on the socket, which stays open.
    await socket.send(json.dumps({"type": "message", "conversation_id": conversation, "message": "again"}))
    early: list[dict[str, Any]] = []  # the run's first events may arrive before the refusal
    while (frame := await _next(socket, "request_error", "status"))["type"] != "request_error":
        early.append(frame)
    assert frame["code"] == "run_active"

    scope, rid = queued[0]
    execution = asyncio.create_task(executor.execute_run(scope, rid, **turn_options(scope, make_fake_chat([ANSWER]))))
    received = await _events_until_complete(socket, run_id, early)
    assert await execution == "completed"
    stored = (await http.get(f"/api/v1/runs/{run_id}/events", headers=ada.headers())).json()
    assert _wire(received) == [(e["sequence"], e["type"], e["payload"]) for e in stored]
    assert [e["sequence"] for e in received] == list(range(1, len(stored) + 1))
    assert "".join(e["payload"]["text"] for e in received if e["type"] == "token") == ANSWER
    assert received[-1]["payload"]["stop_reason"] == "completed"
    await socket.close()

    # Another connection resumes after sequence 4: the rest exactly once, in order.
    again = await _open(server, ada)
    await again.send(json.dumps({"type": "resume", "run_id": run_id, "last_sequence": 4}))
    assert (await _next(again, "subscribed"))["after"] == 4
    assert _wire(await _events_until_complete(again, run_id)) == _wire(received[4:])
    await again.send(json.dumps({"type": "resume", "run_id": run_id, "last_sequence": -1}))
    assert (await _next(again, "request_error"))["code"] == "bad_sequence"
    # Batch frames: the same events, several per frame (a replay page at once).
    await again.send(json.dumps({"type": "subscribe", "run_id": run_id, "after": 2, "batch": True}))
    assert (await _next(again, "subscribed"))["after"] == 2
    frame = await _next(again, "events")
    assert frame["run_id"] == run_id and _wire(frame["events"]) == _wire(received[2:])
    await again.close()


async def test_another_spaces_run_closes_the_socket_like_a_missing_run(
    server: str, http: httpx.AsyncClient, queued: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    ada = await new_tenant("ada", "Alpha", client=http)
    eve = await new_tenant("eve", "Bravo", client=http)
    theirs = await _conversation(http, eve)
    started = await http.post(
        f"/api/v1/conversations/{theirs}/runs", json={"message": "Bravo secret plan"}, headers=eve.headers()
    )
    run_id = started.json()["run_id"]
    answers = []
    for request in (
        {"type": "subscribe", "run_id": run_id},
        {"type": "resume", "run_id": run_id, "last_sequence": 0},
        {"type": "cancel", "run_id": run_id},
        {"type": "subscribe", "run_id": str(uuid.uuid4())},
        {"type": "cancel", "run_id": "not-a-run"},
    ):
        socket = await _open(server, ada)
        await socket.send(json.dumps(request))
        answers.append(await _closed(socket))
    assert {a[0] for a in answers} == {4404} and len(set(answers)) == 1 and "Bravo" not in answers[0][1]
    # Starting a run in their conversation is refused too (a request error: the socket stays usable).
    socket = await _open(server, ada)
    await socket.send(json.dumps({"type": "message", "conversation_id": theirs, "message": "hi"}))
    assert (await _next(socket, "request_error"))["code"] == "conversation_not_found"
    await socket.send(json.dumps({"type": "ping"}))
    assert (await _next(socket, "pong"))["type"] == "pong"
    await socket.close()
    run = (await http.get(f"/api/v1/runs/{run_id}", headers=eve.headers())).json()
    assert run["status"] == "queued" and not run["cancel_requested"]
    assert [r for _, r in queued] == [uuid.UUID(run_id)]


async def test_two_connections_follow_one_run_and_one_stops_it(
    server: str, http: httpx.AsyncClient, queued: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    ada = await new_tenant("ada", "Alpha", client=http)
    conversation = await _conversation(http, ada)
    run_id = (
        await http.post(f"/api/v1/conversations/{conversation}/runs", json={"message": "Essay"}, headers=ada.headers())
    ).json()["run_id"]
    first, second = await _open(server, ada), await _open(server, ada)
    for socket in (first, second):
        await socket.send(json.dumps({"type": "subscribe", "run_id": run_id}))
        assert (await _next(socket, "subscribed"))["run_id"] == run_id
    scope, rid = queued[0]
    long_answer = " ".join(f"w{i}" for i in range(2000))  # 20 s if never stopped
    execution = asyncio.create_task(
        executor.execute_run(scope, rid, **turn_options(scope, slow_chat([long_answer], pause=0.01)))
    )
    # The second connection drops after its first tokens and comes back with its last sequence.
    seen_second: list[dict[str, Any]] = []
    while len([e for e in seen_second if e["type"] == "token"]) < 3:
        frame = json.loads(await second.recv())
        if frame["type"] != "heartbeat":
            seen_second.append(frame)
    await second.close()
    second = await _open(server, ada)
    await second.send(json.dumps({"type": "resume", "run_id": run_id, "last_sequence": seen_second[-1]["sequence"]}))
    assert (await _next(second, "subscribed"))["after"] == seen_second[-1]["sequence"]

    await first.send(json.dumps({"type": "cancel", "run_id": run_id, "id": "stop"}))
    seen_first: list[dict[str, Any]] = []
    while True:
        frame = json.loads(await first.recv())
        if frame["type"] == "cancel_requested":
            assert frame["id"] == "stop" and frame["run_id"] == run_id
            continue
        if frame["type"] != "heartbeat":
            seen_first.append(frame)
        if frame["type"] == "complete":
            break
    seen_second += await _events_until_complete(second, run_id)
    assert await execution == "cancelled"
    stored = (await http.get(f"/api/v1/runs/{run_id}/events", headers=ada.headers())).json()
    expected = [(e["sequence"], e["type"], e["payload"]) for e in stored]
    assert _wire(seen_first) == expected and _wire(seen_second) == expected
    assert stored[-1]["payload"]["stop_reason"] == "cancelled"
    partial = "".join(e["payload"]["text"] for e in stored if e["type"] == "token")
    assert partial and long_answer.startswith(partial) and len(partial) < len(long_answer) // 2
    for socket in (first, second):
        await socket.close()
