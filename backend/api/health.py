"""GET /api/v1/health: what is connected, which versions, which worker and models."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Response

from backend.core.config import get_settings
from backend.core.health import cache_health, database_health
from backend.jobs.queue import live_workers, queue_counts, worker_status
from backend.models.info import describe_models

router = APIRouter(tags=["health"])


async def collect_health() -> dict[str, Any]:
    """The health report; also rendered by the /status page."""
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


@router.get("/health", summary="Service health")
async def health(response: Response) -> dict[str, Any]:
    report = await collect_health()
    if report["status"] != "ok":
        response.status_code = 503
    return report
