"""In a real browser, across two app processes sharing the embedded PostgreSQL and Redis: a run started through
one process's API, and executed by that process's job worker, streams live to completion on the chat page the
other process serves.

The tier's app (the one with the built frontend, whose pages the browser loads) is restarted for this module on
the same port and data dir with REDIS_URL set and no job worker of its own, so it can only show the run through
what the other process stores and publishes. The other process is `tests.support.app_process` (the whole ASGI
app with its lifespan and in-app worker, no frontend) on the same database, Redis and data dir (the master key).
Both answer with the tier's fake chat model, which streams a word every 0.2 s and answers with the text after
`Reply with:` in the message. Afterwards the tier's app is restarted as it was.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from backend.models.chat_fake import REPLY_WITH
from tests.conftest import REDIS_TEST_URL, require_redis
from tests.e2e.conftest import ROOT, RunningApp, app_env
from tests.support.browser import sign_up_in_browser
from tests.support.servers import free_port
from tests.support.tenants import auth_headers

pytestmark = pytest.mark.e2e

ANSWER = " ".join(f"point{i}" for i in range(30)) + " done."
STARTUP_SECONDS = 240.0


@dataclass
class ApiProcess:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def shared_redis() -> Iterator[str]:
    import redis

    require_redis()
    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.flushdb()
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def page_process(running_app: RunningApp, shared_redis: str) -> Iterator[RunningApp]:
    """The tier's app on Redis, without a job worker (every run it shows is executed elsewhere)."""
    original = dict(running_app.extra_env)
    running_app.stop()
    running_app.extra_env = {**original, "REDIS_URL": shared_redis, "RUN_WORKER_IN_APP": "false"}
    try:
        running_app.restart()
        yield running_app
    finally:
        running_app.stop()
        running_app.extra_env = original
        running_app.restart()


@pytest.fixture(scope="module")
def worker_process(page_process: RunningApp, shared_redis: str) -> Iterator[ApiProcess]:
    """A second app process (API and in-app job worker) on the same database, Redis and data dir."""
    from backend.core.embedded_pg import embedded_url

    port = free_port()
    extra = {
        "DATABASE_URL": embedded_url(page_process.data_dir),  # the running server of the tier's app
        "REDIS_URL": shared_redis,
        "RUN_WORKER_IN_APP": "true",
        "PYTHONPATH": str(ROOT),
    }
    log = page_process.data_dir / f"worker-process-{time.time_ns()}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.app_process", str(port)],
            cwd=ROOT,
            env=app_env(page_process.data_dir, port, extra),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    api = ApiProcess(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the second app process did not come up:\n{log.read_text()[-4000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{api.url}/api/v1/health", timeout=2).status_code in (200, 503):
                    break
            time.sleep(0.5)
        yield api
    finally:
        api.stop()


_LIVE = """() => [document.querySelector('[data-testid="run-status"]')?.innerText ?? '',
                document.querySelector('[data-testid="live-answer"]')?.innerText ?? '']"""


async def test_a_run_started_through_one_process_streams_live_on_the_page_of_another(
    browser: Any, page_process: RunningApp, worker_process: ApiProcess
) -> None:
    context = await browser.new_context(base_url=page_process.url, viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(30_000)
    email, password = "wendy@processes.example", "wendy-pass-123"
    await sign_up_in_browser(page, name="Wendy", organization="Two Processes", email=email, password=password)

    async with httpx.AsyncClient(base_url=worker_process.url, timeout=30) as http:
        token = (await http.post("/api/v1/auth/token", json={"email": email, "password": password})).json()
        me = (await http.get("/api/v1/auth/me", headers=auth_headers(token["access_token"]))).json()
        headers = auth_headers(token["access_token"], str(me["spaces"][0]["id"]))
        made = await http.post("/api/v1/conversations", json={"agent": "seo"}, headers=headers)
        assert made.status_code == 201, made.text
        conversation = made.json()["id"]
        started = await http.post(
            f"/api/v1/conversations/{conversation}/runs",
            json={"message": f"Summarise the launch plan. {REPLY_WITH} {ANSWER}"},
            headers=headers,
        )
        assert started.status_code == 202, started.text
        run_id = started.json()["run_id"]

        await page.goto(f"/chat/{conversation}")
        await expect(page.get_by_test_id("run-status")).to_have_text("running")
        seen: list[str] = []
        status_at_first_view = ""
        for _ in range(2400):
            status, text = (str(v).strip() for v in await page.evaluate(_LIVE))
            if text and status == "running":
                # Each draft streams from its first word: every view is a prefix of the answer.
                assert ANSWER.startswith(text), f"not a prefix of the answer (a word twice or lost?): {text!r}"
                if not seen:
                    run = (await http.get(f"/api/v1/runs/{run_id}", headers=headers)).json()
                    status_at_first_view = run["status"]
                if not seen or seen[-1] != text:
                    seen.append(text)
            if await page.get_by_test_id("answer").count():
                break
            await page.wait_for_timeout(50)
        else:
            raise AssertionError("the answer never reached the history")
        final = (await http.get(f"/api/v1/runs/{run_id}", headers=headers)).json()

    assert len(seen) >= 3, f"the page saw the answer grow while the other process wrote it: {seen}"
    assert status_at_first_view == "running", "the answer was shown while the other process was still writing it"
    assert final["status"] == "completed"
    await expect(page.get_by_test_id("answer")).to_contain_text(ANSWER)
    await expect(page.get_by_test_id("user-message")).to_contain_text("Summarise the launch plan.")
    await context.close()
