"""The API with the platform's lifespan (signing keys, job queue, the in-app job worker when
RUN_WORKER_IN_APP=true, model warm-up), as `make run` serves it minus the Reflex frontend.

`uvicorn runs_app:create --factory` (with bench/ on the path): the first-token scenario of `bench_runs.py`
starts runs through it and its worker executes them.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI

from backend.api.app import create_api
from backend.api.lifespan import platform_lifespan


def create() -> FastAPI:
    api = create_api()

    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        async with platform_lifespan():
            yield

    api.router.lifespan_context = lifespan
    return api
