"""API shapes of the dashboard's aggregates (`GET /api/v1/dashboard`) and of the health report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from backend.content.schemas import LinkedItemFigures


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


class Count(BaseModel):
    """How many rows have this value (a state, a status, a stop reason)."""

    key: str
    count: int


class RecentRun(BaseModel):
    id: str
    agent: str
    status: str
    stop_reason: str | None
    error: str | None = Field(description="Why a failed run failed, shortened")
    created_at: datetime
    finished_at: datetime | None


class RunsPanel(BaseModel):
    """Agent runs started in the date range."""

    total: int
    by_status: list[Count]
    by_stop_reason: list[Count] = Field(description="Finished runs by stop reason (runs stopped without one: none)")
    recent: list[RecentRun] = Field(description="The newest runs of the range, newest first")


class UsageRow(BaseModel):
    """Model tokens booked in the range by one agent on one model ("outside runs": ingestion, scoring, search)."""

    agent: str
    provider: str
    model: str
    calls: int
    tokens_in: int
    tokens_out: int
    estimated_cost_usd: float | None = Field(description="None when the model's price is unknown")


class UsagePanel(BaseModel):
    rows: list[UsageRow]
    total_tokens: int
    estimated_cost_usd: float = Field(description="Sum over the priced rows")
    unpriced_models: list[str]


class DocumentsPanel(BaseModel):
    """The space's document library now (not limited to the range)."""

    total: int
    by_status: list[Count]
    quarantined_chunks: int = Field(description="Chunks held back as possible prompt injection, awaiting review")
    documents_with_quarantine: int


class PipelinePanel(BaseModel):
    """The space's content by review state now (not limited to the range)."""

    total: int
    by_state: list[Count] = Field(description="Every review state, in workflow order, zeros included")


class ScorePoint(BaseModel):
    """The average brand-voice score (0-100) of the versions saved on one day."""

    date: date
    average: float
    versions: int


class TrafficPoint(BaseModel):
    """One day of GA4 traffic (days without data are zeros)."""

    date: date
    sessions: float
    conversions: float = Field(description="GA4 key events (formerly conversions)")


class LandingPage(BaseModel):
    page: str
    sessions: float
    conversions: float


class ContentRank(LinkedItemFigures):
    """A published item linked to its address, with the GA4 figures of its page since its publication (the
    dashboard's ranking: the content domain's figures under the dashboard's own schema name)."""


Ga4State = Literal["not_configured", "not_connected", "needs_reconnect", "no_property", "ok", "error"]


class Ga4Panel(BaseModel):
    """Sessions and conversions over the range and the top landing pages, from the space's GA4 property."""

    state: Ga4State = Field(description="ok, or why there are no figures (with `message` saying what to do)")
    message: str | None = None
    property_name: str | None = None
    series: list[TrafficPoint] = Field(default_factory=list)
    top_landing_pages: list[LandingPage] = Field(default_factory=list)
    content_ranking: list[ContentRank] = Field(
        default_factory=list,
        description="Published items linked to their address, best first by sessions per day since publication",
    )


class DashboardPublic(BaseModel):
    """The landing page's data for one space and date range (both dates included, UTC days)."""

    space_id: str
    start_date: date
    end_date: date
    generated_at: datetime
    runs: RunsPanel
    usage: UsagePanel
    documents: DocumentsPanel
    pipeline: PipelinePanel
    voice_scores: list[ScorePoint] = Field(description="Brand-voice score trend over the range, by day")
    ga4: Ga4Panel


__all__ = [
    "ContentRank",
    "Count",
    "DashboardPublic",
    "DocumentsPanel",
    "Ga4Panel",
    "Ga4State",
    "HealthReport",
    "LandingPage",
    "PipelinePanel",
    "RecentRun",
    "RunsPanel",
    "ScorePoint",
    "TrafficPoint",
    "UsagePanel",
    "UsageRow",
]
