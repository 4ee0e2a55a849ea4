"""What the benches that serve the app in a process of their own share: a free port, a percentile, the process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from harness import percentile

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


pct = percentile  # the name the benches that serve the app have used


class Server:
    """An app process on the bench's database (the bench's environment): by default the API alone (no lifespan);
    a target outside `backend.api` (e.g. `runs_app:create`, the API with the platform's lifespan and, with
    RUN_WORKER_IN_APP=true, the in-app job worker) runs with its lifespan, as `make run` serves it."""

    def __init__(
        self, port: int, target: str = "backend.api.app:create_api", env: dict[str, str] | None = None,
        root: Path = ROOT,
    ) -> None:  # fmt: skip
        self.url = f"http://127.0.0.1:{port}"
        lifespan = "off" if target.startswith("backend.api") else "on"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", target, "--factory", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "warning", "--no-access-log", "--lifespan", lifespan],
            cwd=root, env={**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{root / 'bench'}", **(env or {})},
            start_new_session=True,
        )  # fmt: skip

    async def ready(self) -> None:
        async with httpx.AsyncClient(timeout=5) as http:
            for _ in range(1200):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(self.url + "/api/v1/health")).status_code in (200, 503):
                        return
                if self.process.poll() is not None:
                    raise RuntimeError("the API process exited")
                await asyncio.sleep(0.1)
        raise RuntimeError("the API process did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
