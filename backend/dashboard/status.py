"""The platform's health: database, cache, job queue and workers, models, version.

One report, two doors: `GET /api/v1/health` answers it, the /status page renders it. It lives here (not in
`core`) because it reads the job queue and the model settings, which sit above `core` in the import order.
"""

from __future__ import annotations

import asyncio
from typing import Any

from backend.core.config import get_settings
from backend.core.health import cache_health, database_health
from backend.jobs.queue import live_workers, queue_counts, worker_status
from backend.models.info import describe_models


async def collect_health() -> dict[str, Any]:
    """The health report (API shape: `HealthReport`); "degraded" when the database or the cache is down."""
    settings = get_settings()
    database, cache, counts, workers = await asyncio.gather(
        database_health(), cache_health(), queue_counts(), live_workers()
    )
    jobs = {**worker_status(), "live_workers": workers, "queue": counts}
    healthy = database["connected"] and cache["ok"]
    return {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "pgvector": database.get("pgvector"),
        "redis": cache["backend"],
        "cache": cache,
        "jobs": jobs,
        "models": describe_models(settings),
        "environment": settings.environment,
        "version": settings.app_version,
    }


__all__ = ["collect_health"]
