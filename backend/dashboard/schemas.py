"""The API shape of the health report."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class HealthReport(BaseModel):
    """What is connected, which versions, which worker and models (API.md: `GET /api/v1/health`).

    A caller without a valid token gets `status` alone (the other fields null): versions, the database
    role, the migration, models and queue counts help an attacker and nobody else outside.
    """

    status: Literal["ok", "degraded"]
    database: dict[str, Any] | None = Field(
        default=None, description="connected, embedded, server_version, pgvector, role, migration"
    )
    pgvector: str | None = None
    redis: str | None = Field(default=None, description='The cache and broker backend: "redis" or "in-process"')
    cache: dict[str, Any] | None = None
    jobs: dict[str, Any] | None = Field(
        default=None, description="worker, in_process, jobs_run, jobs_failed, live_workers, queue"
    )
    models: dict[str, Any] | None = Field(default=None, description="chat and embeddings, with their providers")
    environment: str | None = None
    version: str | None = None


__all__ = ["HealthReport"]
