"""Runs across real processes sharing PostgreSQL and Redis (`tests/support/app_process.py`: the whole app on a
port with its lifespan and, when asked, the in-app job worker; scripted slow models).

- The app process is SIGKILLed mid-answer: every event it had stored is still there, unchanged; the next
  process's worker marks the run interrupted with that partial answer; Resume continues the turn from its
  checkpoint, and the conversation holds one question and one answer.
- Two processes: a run started through one is followed live, over the WebSocket, through the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from backend.core import cache as cache_module
from backend.core.config import ROOT_DIR, get_settings
from backend.core.db import Database
from backend.jobs import close_jobs, job_app, open_jobs
from backend.runs import recovery, service
from backend.runs.events import RunEventPublic
from tests.support.app_process import ANSWER_WORDS
from tests.support.servers import free_port
from tests.support.tenants import Tenant, new_tenant

STARTUP_SECONDS = 240.0
"""A guard against a process that never comes up (two cores shared with other work: builds are slow)."""
STALLED_AFTER = 2.0


@dataclass
class AppProcess:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture
async def shared(committed_db: Database, redis_url: str) -> AsyncIterator[str]:
    """This test process on the same Redis (broker and cache) and job queue as the app processes."""
    namespace = get_settings().cache_namespace
    cache_module.set_cache_and_broker(
        cache_module.build_cache(redis_url, namespace), cache_module.build_broker(redis_url, namespace)
    )
    await open_jobs()
    try:
        yield redis_url
    finally:
        await close_jobs()
        for closable in (cache_module.get_cache(), cache_module.get_broker()):
            await closable.close()
        cache_module.set_cache_and_broker(None, None)


def _start(redis_url: str, log: Path, *, worker: bool) -> AppProcess:
    port = free_port()
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "RUN_WORKER_IN_APP": "true" if worker else "false",
        "JOB_STALLED_AFTER_SECONDS": str(STALLED_AFTER),
        "TEST_TOKEN_PAUSE": "0.02",
        "PYTHONPATH": str(ROOT_DIR),
    }
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.app_process", str(port)],
            cwd=ROOT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return AppProcess(f"http://127.0.0.1:{port}", process, log)


async def _healthy(app: AppProcess) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_SECONDS
    async with httpx.AsyncClient(timeout=5) as http:
        while loop.time() < deadline:
            if app.process.poll() is not None:
                raise AssertionError(f"the app process exited:\n{app.log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(app.url + "/api/v1/health")).status_code in (200, 503):
                    return
            await asyncio.sleep(0.2)
    raise AssertionError(f"the app process did not come up:\n{app.log.read_text()[-3000:]}")


@contextlib.asynccontextmanager
async def _processes(redis_url: str, tmp_path: Path, *workers: bool) -> AsyncIterator[list[AppProcess]]:
    apps = [_start(redis_url, tmp_path / f"app-{uuid.uuid4().hex[:6]}.log", worker=w) for w in workers]
    try:
        await asyncio.gather(*(_healthy(app) for app in apps))
        yield apps
    finally:
        for app in apps:
            if app.process.poll() is None:
                os.killpg(app.process.pid, signal.SIGTERM)
                try:
                    app.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    app.kill()


async def _start_run(app: AppProcess, owner: Tenant) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=app.url, timeout=30) as http:
        made = await http.post("/api/v1/conversations", json={"agent": "seo"}, headers=owner.headers())
        assert made.status_code == 201, made.text
        conversation = str(made.json()["id"])
        started = await http.post(
            f"/api/v1/conversations/{conversation}/runs", json={"message": "Write the essay"}, headers=owner.headers()
        )
        assert started.status_code == 202, started.text
        return conversation, str(started.json()["run_id"])


async def _until(ctx: Any, run_id: str, after: int, done: Any) -> list[RunEventPublic]:
    """Follow the run (in this process, through Redis and PostgreSQL) until `done(events)`."""
    seen: list[RunEventPublic] = []
    async with contextlib.aclosing(service.follow_run(ctx, run_id, after)) as events:
        async for event in events:
            seen.append(event)
            if done(seen):
                break
    return seen


async def _stalled(run_id: str) -> bool:
    jobs = await job_app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER)
    return any(job.task_kwargs.get("run_id") == run_id for job in jobs)


def _tokens(events: list[RunEventPublic]) -> int:
    return sum(e.type == "token" for e in events)


async def test_a_run_whose_app_process_is_killed_mid_answer_keeps_every_stored_event_and_resumes(
    shared: str, tmp_path: Path
) -> None:
    ada = await new_tenant("ada", "Alpha")
    ctx = await ada.context()
    async with _processes(shared, tmp_path, True) as [first]:
        conversation, run_id = await _start_run(first, ada)
        await _until(ctx, run_id, 0, lambda seen: _tokens(seen) >= 5)
        first.kill()  # SIGKILL: no shutdown code runs, the run is left `running`
    before = await service.list_events(ctx, run_id)
    assert (await service.get_run(ctx, run_id)).status == "running" and _tokens(before) >= 5

    # The dead worker's heartbeat goes stale; the next process's worker requeues the job at start-up and
    # finds the run still running: it is marked interrupted with what was stored.
    while not await _stalled(run_id):
        await asyncio.sleep(0.2)
    async with _processes(shared, tmp_path, True) as [second]:
        complete = (await _until(ctx, run_id, len(before), lambda seen: seen[-1].type == "complete"))[-1]
        after = await service.list_events(ctx, run_id)
        assert after[: len(before)] == before  # nothing persisted was lost or changed
        assert [e.sequence for e in after] == list(range(1, len(after) + 1))
        assert complete.payload["stop_reason"] == "interrupted"
        assert complete.payload["message"] == recovery.partial_text(before) != ""
        assert (await service.get_run(ctx, run_id)).status == "interrupted"

        async with httpx.AsyncClient(base_url=second.url, timeout=30) as http:
            resumed = await http.post(f"/api/v1/runs/{run_id}/resume", headers=ada.headers())
            assert resumed.status_code == 202, resumed.text
            last = resumed.json()["last_sequence"]
            ended = await _until(ctx, run_id, last, lambda seen: seen[-1].type == "complete")
            assert ended[-1].payload["stop_reason"] == "completed"
            history = (await http.get(f"/api/v1/conversations/{conversation}/messages", headers=ada.headers())).json()
    assert [m["role"] for m in history] == ["user", "assistant"]  # the question was not asked twice
    assert history[1]["content"] == ended[-1].payload["message"]
    assert len(history[1]["content"].split()) == ANSWER_WORDS + 1
    final = await service.list_events(ctx, run_id)
    assert [e.sequence for e in final] == list(range(1, len(final) + 1))


async def test_a_run_started_through_one_process_is_followed_live_through_another(
    shared: str, tmp_path: Path
) -> None:
    ada = await new_tenant("ada", "Alpha")
    async with _processes(shared, tmp_path, True, False) as [worker, web]:
        _, run_id = await _start_run(worker, ada)
        frames: list[dict[str, Any]] = []
        status_at_first_token = None
        async with (
            connect(web.url.replace("http://", "ws://") + "/api/v1/ws") as socket,
            httpx.AsyncClient(base_url=web.url, timeout=30) as http,
        ):
            await socket.send(json.dumps({"type": "auth", "token": ada.token, "space_id": ada.space_id}))
            await socket.send(json.dumps({"type": "subscribe", "run_id": run_id}))
            while not frames or frames[-1]["type"] != "complete":
                frame = json.loads(await socket.recv())
                if "sequence" not in frame:
                    continue
                frames.append(frame)
                if frame["type"] == "token" and status_at_first_token is None:
                    run = await http.get(f"/api/v1/runs/{run_id}", headers=ada.headers())
                    status_at_first_token = run.json()["status"]
            stored = (await http.get(f"/api/v1/runs/{run_id}/events", headers=ada.headers())).json()
    assert status_at_first_token == "running"  # received live, while the other process was still writing
    assert [(f["sequence"], f["type"], f["payload"]) for f in frames] == [
        (e["sequence"], e["type"], e["payload"]) for e in stored
    ]
    assert [f["sequence"] for f in frames] == list(range(1, len(stored) + 1))
    assert frames[-1]["payload"]["stop_reason"] == "completed"
