"""Start-up and shutdown of the platform inside the web process (registered as a Reflex lifespan task)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from backend.agents.checkpoint import close_pooled_connections
from backend.auth.keys import load_keyring
from backend.core.cache import get_broker, get_cache, set_cache_and_broker
from backend.core.config import get_settings
from backend.core.db import dispose_database, get_database
from backend.core.heap import freeze_startup_heap
from backend.core.logging import configure_logging
from backend.jobs import close_jobs, open_jobs, run_worker
from backend.models.accounting import flush_deferred_usage
from backend.models.sessions import close_models, start_model_warmup
from backend.tasks import load_task_modules

logger = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def platform_lifespan() -> AsyncIterator[None]:
    settings = get_settings()
    configure_logging(settings.log_level)
    load_task_modules()
    # Signing keys are loaded before the first request (created on the very first start).
    await load_keyring(get_database())
    await open_jobs()
    # Model warm-up loads and prefills in the background: the app serves while it runs.
    warmup = start_model_warmup(settings) if settings.warm_models_on_start else None
    worker: asyncio.Task[None] | None = None
    if settings.gc_freeze_on_start:
        freeze_startup_heap()  # before the worker and the first request: see `core.heap`
    if settings.run_worker_in_app:
        worker = asyncio.create_task(run_worker(in_app=True), name="obelisk-job-worker")
    logger.info("platform started", extra={"worker_in_app": settings.run_worker_in_app})
    try:
        yield
    finally:
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker
        await close_jobs()
        await flush_deferred_usage()
        await close_models(warmup)
        await close_pooled_connections()
        await dispose_database()
        for closable in (get_cache(), get_broker()):
            with contextlib.suppress(Exception):
                await closable.close()
        set_cache_and_broker(None, None)
        logger.info("platform stopped")
