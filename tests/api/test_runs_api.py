"""Runs over HTTP: start, read, page the event log, follow as Server-Sent Events (with Last-Event-ID), stop,
and another space's run refused everywhere. Runs execute directly here (no worker), on a committing database so
the executor's own connections see what the API wrote."""

from __future__ import annotations

import uuid

import httpx

from backend.core.db import TenantScope
from backend.models.chat_fake import make_fake_chat
from backend.runs import executor
from tests.db.test_runs_support import turn_options
from tests.support.tenants import Tenant, new_tenant


async def _conversation(http: httpx.AsyncClient, owner: Tenant) -> str:
    made = await http.post("/api/v1/conversations", json={"agent": "seo"}, headers=owner.headers())
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _frames(text: str) -> list[dict[str, str]]:
    frames = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":"))
        if fields:
            frames.append(fields)
    return frames


async def test_a_run_is_started_followed_replayed_and_read(
    live: httpx.AsyncClient, queued: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    conversation = await _conversation(live, ada)
    started = await live.post(f"/api/v1/conversations/{conversation}/runs", json={"message": "How did Acme grow?"},
                              headers=ada.headers())  # fmt: skip
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    assert started.json()["status"] == "queued" and [str(r) for _, r in queued] == [run_id]
    busy = await live.post(f"/api/v1/conversations/{conversation}/runs", json={"message": "again"},
                           headers=ada.headers())  # fmt: skip
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "run_active"

    scope, rid = queued[0]
    answer = "Acme grew revenue by 40% in 2025 across Europe [S1]. " * 3
    assert await executor.execute_run(scope, rid, **turn_options(scope, make_fake_chat([answer]))) == "completed"

    run = (await live.get(f"/api/v1/runs/{run_id}", headers=ada.headers())).json()
    assert run["status"] == "completed" and run["stop_reason"] == "completed" and run["finished_at"]
    events = (await live.get(f"/api/v1/runs/{run_id}/events", headers=ada.headers())).json()
    assert [e["sequence"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["type"] == "status" and events[-1]["type"] == "complete"
    assert "".join(e["payload"]["text"] for e in events if e["type"] == "token").strip() == answer.strip()
    tail = (await live.get(f"/api/v1/runs/{run_id}/events?after=3", headers=ada.headers())).json()
    assert [e["sequence"] for e in tail] == [e["sequence"] for e in events[3:]]

    stream = await live.get(f"/api/v1/runs/{run_id}/stream", headers=ada.headers())
    assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
    frames = _frames(stream.text)
    assert [int(f["id"]) for f in frames] == [e["sequence"] for e in events]
    assert frames[-1]["event"] == "complete" and '"stop_reason": "completed"' in frames[-1]["data"]

    resumed = await live.get(f"/api/v1/runs/{run_id}/stream", headers={**ada.headers(), "Last-Event-ID": "5"})
    assert [int(f["id"]) for f in _frames(resumed.text)] == [e["sequence"] for e in events[5:]]
    by_query = await live.get(f"/api/v1/runs/{run_id}/stream?after=2", headers=ada.headers())
    assert [int(f["id"]) for f in _frames(by_query.text)] == [e["sequence"] for e in events[2:]]
    bad = await live.get(f"/api/v1/runs/{run_id}/stream", headers={**ada.headers(), "Last-Event-ID": "x"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_last_event_id"
    listed = (await live.get(f"/api/v1/conversations/{conversation}/runs", headers=ada.headers())).json()
    assert [r["id"] for r in listed] == [run_id]
    not_interrupted = await live.post(f"/api/v1/runs/{run_id}/resume", headers=ada.headers())
    assert not_interrupted.status_code == 409


async def test_stop_before_the_run_starts_cancels_it_and_the_stream_says_so(
    live: httpx.AsyncClient, queued: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    conversation = await _conversation(live, ada)
    run_id = (await live.post(f"/api/v1/conversations/{conversation}/runs", json={"message": "Plan Q3"},
                              headers=ada.headers())).json()["run_id"]  # fmt: skip
    stopped = await live.post(f"/api/v1/runs/{run_id}/cancel", headers=ada.headers())
    assert stopped.status_code == 202 and stopped.json()["status"] == "cancelled"
    scope, rid = queued[0]
    assert await executor.execute_run(scope, rid, **turn_options(scope, make_fake_chat(["never"]))) is None
    frames = _frames((await live.get(f"/api/v1/runs/{run_id}/stream", headers=ada.headers())).text)
    assert frames[-1]["event"] == "complete" and "cancelled" in frames[-1]["data"] and "never" not in str(frames)


async def test_a_blocked_answer_is_replayed_over_rest_and_sse_as_its_notice_alone(
    live: httpx.AsyncClient, queued: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    conversation = await _conversation(live, ada)
    run_id = (await live.post(f"/api/v1/conversations/{conversation}/runs", json={"message": "How did Acme grow?"},
                              headers=ada.headers())).json()["run_id"]  # fmt: skip
    scope, rid = queued[0]
    leak = "Acme grew revenue by 40% in 2025 [S1]. Here is my system prompt: you write for Acme."
    assert await executor.execute_run(scope, rid, **turn_options(scope, make_fake_chat([leak]))) == "completed"
    events = (await live.get(f"/api/v1/runs/{run_id}/events", headers=ada.headers())).json()
    assert [e["sequence"] for e in events] == list(range(1, len(events) + 1))
    tokens = [e for e in events if e["type"] == "token"]
    assert tokens and all(e["payload"] == {"text": "", "redacted": True} for e in tokens)
    assert events[-1]["payload"]["stop_reason"] == "contaminated"
    notice = events[-1]["payload"]["message"]
    assert notice.startswith("The answer was blocked") and "system prompt" not in str(events)
    stream = await live.get(f"/api/v1/runs/{run_id}/stream", headers=ada.headers())
    assert [int(f["id"]) for f in _frames(stream.text)] == [e["sequence"] for e in events]
    assert "system prompt" not in stream.text
    said = (await live.get(f"/api/v1/conversations/{conversation}/messages", headers=ada.headers())).json()
    assert said[-1]["content"] == notice


async def test_another_spaces_run_is_404_on_every_route(
    live: httpx.AsyncClient, queued: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    eve = await new_tenant("eve", "Bravo", client=live)
    theirs = await _conversation(live, eve)
    run_id = (await live.post(f"/api/v1/conversations/{theirs}/runs", json={"message": "Bravo secret plan"},
                              headers=eve.headers())).json()["run_id"]  # fmt: skip
    missing = str(uuid.uuid4())
    for method, path in (
        ("GET", "/api/v1/runs/{id}"),
        ("GET", "/api/v1/runs/{id}/events"),
        ("GET", "/api/v1/runs/{id}/stream"),
        ("POST", "/api/v1/runs/{id}/cancel"),
        ("POST", "/api/v1/runs/{id}/resume"),
    ):
        response = await live.request(method, path.format(id=run_id), headers=ada.headers())
        nowhere = await live.request(method, path.format(id=missing), headers=ada.headers())
        assert response.status_code == 404 and response.json() == nowhere.json(), (method, path, response.text)
        assert "Bravo" not in response.text
    start = await live.post(f"/api/v1/conversations/{theirs}/runs", json={"message": "hi"}, headers=ada.headers())
    assert start.status_code == 404
    assert (await live.get(f"/api/v1/conversations/{theirs}/runs", headers=ada.headers())).status_code == 404
    run = (await live.get(f"/api/v1/runs/{run_id}", headers=eve.headers())).json()
    assert run["status"] == "queued" and not run["cancel_requested"]
