"""The API shape of the health report."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class HealthReport(BaseModel):
    """What is connected, which versions, which worker and models (API.md: `GET /api/v1/health`)."""

    status: Literal["ok", "degraded"]
    database: dict[str, Any] = Field(description="connected, embedded, server_version, pgvector, role, migration")
    pgvector: str | None
    redis: str = Field(description='The cache and broker backend: "redis" or "in-process"')
    cache: dict[str, Any]
    jobs: dict[str, Any] = Field(description="worker, in_process, jobs_run, jobs_failed, live_workers, queue")
    models: dict[str, Any] = Field(description="chat and embeddings, with their providers")
    environment: str
    version: str


__all__ = ["HealthReport"]
