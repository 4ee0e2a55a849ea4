"""End-to-end tier: the production app started the way `make run` starts it, driven by Debian's Chromium.

One app per test session, on a free port, with its own embedded PostgreSQL in a temporary data dir.
In CI (CI=true) a missing browser fails the run; elsewhere it skips.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.fake_google import FakeGoogle, google_env, serve_fake_google_for_session, two_accounts
from tests.support.fake_slack import FakeSlack
from tests.support.servers import free_port, serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("Chromium is required for the browser tests in CI (make test installs it)")
    pytest.skip("Chromium is not installed")


@dataclass
class RunningApp:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str]
    extra_env: dict[str, str] = field(default_factory=dict)

    def stop(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def restart(self) -> None:
        """Start again on the same port and data dir (the frontend build carries the port, so a second app on
        another port would rebuild it under the first one)."""
        again = start_app(self.data_dir, self.port, extra_env=self.extra_env)
        self.process, self.log = again.process, again.log


def app_env(data_dir: Path, port: int, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    # The app must compile (and on a fresh clone install its frontend packages) like `make run` does, so it
    # never inherits a skip-compile flag from whoever runs the tests.
    dropped = ("DATABASE_URL", "DATABASE_APP_URL", "REDIS_URL", "__REFLEX_SKIP_COMPILE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        {
            "DATA_DIR": str(data_dir),
            "PORT": str(port),
            "ENVIRONMENT": "development",
            "RUN_WORKER_IN_APP": "true",
            "LOG_LEVEL": "INFO",
            # The fake chat model streams a word every 0.2 s, so the chat tests can reload and stop mid-answer.
            "FAKE_CHAT_STREAM_PAUSE_SECONDS": "0.2",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            # Links the app sends out (invitations, Google's OAuth redirect) must come back to this app.
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            **(extra_env or {}),
        }
    )
    return env


def start_app(
    data_dir: Path, port: int | None = None, timeout: float = 300, *, extra_env: dict[str, str] | None = None
) -> RunningApp:
    """Start `python -m backend run` and wait until the API and the frontend answer."""
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / f"app-{time.time_ns()}.log"
    env = app_env(data_dir, port, extra_env)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "backend", "run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    app = RunningApp(f"http://127.0.0.1:{port}", data_dir, process, log, env, dict(extra_env or {}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{log.read_text()[-4000:]}")
        try:
            health = httpx.get(f"{app.url}/api/v1/health", timeout=2)
            page = httpx.get(f"{app.url}/", timeout=2)
            if health.status_code == 200 and page.status_code == 200:
                return app
        except httpx.HTTPError:
            pass
        time.sleep(1)
    app.stop()
    raise RuntimeError(f"the app did not start within {timeout}s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def fake_google() -> Iterator[tuple[FakeGoogle, str]]:
    """A fake Google (OAuth, GA4 Data and Admin APIs) on 127.0.0.1 for the session's app: the fake and its URL."""
    with serve_fake_google_for_session(two_accounts()) as served:
        yield served


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[tuple[FakeSlack, str]]:
    """A fake Slack Web API on 127.0.0.1 for the session's app: the fake and its URL."""
    fake = FakeSlack()
    with serve_in_thread(fake.app()) as url:
        yield fake, url


@pytest.fixture(scope="session")
def running_app(
    tmp_root: Path, fake_google: tuple[FakeGoogle, str], fake_slack: tuple[FakeSlack, str]
) -> Iterator[RunningApp]:
    # One app for the whole tier: a second app would rebuild the shared frontend with its own port, and the
    # pages of this one would then talk to a backend that is gone. Fakes of outside services are set here.
    # The SSRF guard is off in this app only (the other tiers keep it on): the web pages its tests add by URL
    # are served on 127.0.0.1 (test_documents_actions.py).
    app = start_app(
        tmp_root / "e2e-data",
        extra_env={**google_env(fake_google[1]), "SLACK_API_URL": fake_slack[1], "ALLOW_PRIVATE_URLS": "true"},
    )
    yield app
    app.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    executable = chromium_path()
    async with async_playwright() as pw:
        instance = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        await instance.close()


@pytest.fixture
async def page(browser: Any, running_app: RunningApp) -> AsyncIterator[Any]:
    context = await browser.new_context(base_url=running_app.url, viewport={"width": 1280, "height": 800})
    tab = await context.new_page()
    tab.set_default_timeout(20_000)
    yield tab
    await context.close()


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """The test's output directory for artifacts a person looks at afterwards (screenshots): `tests/e2e/output/
    <test name>/`, or under `E2E_OUTPUT_DIR`. Emptied when the test starts and kept after it (pytest's tmp_path
    is pruned after a few later runs, and it is shared by everyone running pytest on the machine)."""
    base = Path(os.environ.get("E2E_OUTPUT_DIR") or ROOT / "tests" / "e2e" / "output")
    directory = base / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory
