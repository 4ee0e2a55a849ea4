"""Run tables: one row per agent run and its event log.

Both are space-scoped tenant tables under forced row-level security (migration 0008_runs). A run's
`last_sequence` is the allocator of its event sequences: appending n events bumps it by n with
`UPDATE ... RETURNING` in the same transaction as the events' INSERT, so sequences are 1..n with no gap
and no read-max-then-insert race (the UPDATE holds the run's row lock until the events commit).

At most one run per conversation is active (`queued` or `running`): a partial unique index says so, so two
concurrent "send" clicks cannot both start one.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

RunStatus = Literal["queued", "running", "completed", "failed", "cancelled", "interrupted"]
RUN_STATUSES: tuple[str, ...] = ("queued", "running", "completed", "failed", "cancelled", "interrupted")
ACTIVE_STATUSES: tuple[str, ...] = ("queued", "running")
FINAL_STATUSES: tuple[str, ...] = ("completed", "failed", "cancelled", "interrupted")


def _now() -> datetime:
    return datetime.now(UTC)


def _fk(target: str) -> Any:
    return sa.Column(sa.Uuid, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


class AgentRun(SQLModel, table=True):
    """One turn of a conversation executed by the job queue: its state, and the allocator of its events."""

    __tablename__ = "agent_runs"
    __table_args__ = (
        sa.Index("ix_agent_runs_space_conversation", "space_id", "conversation_id", "created_at"),
        # The dashboard's "runs of the space in a date range", index-only (migration 0014_dashboard).
        sa.Index(
            "ix_agent_runs_space_created",
            "space_id",
            "created_at",
            postgresql_include=["status", "stop_reason", "agent", "id"],
        ),
        sa.Index(
            "ix_agent_runs_to_compact",
            "finished_at",
            postgresql_where=sa.text("events_compacted_at IS NULL AND finished_at IS NOT NULL"),
        ),
        sa.Index(
            "uq_agent_runs_one_active_per_conversation",
            "conversation_id",
            unique=True,
            postgresql_where=sa.text("status IN ('queued', 'running')"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(sa_column=_fk("organizations.id"))
    space_id: uuid.UUID = Field(sa_column=_fk("spaces.id"))
    conversation_id: uuid.UUID = Field(sa_column=_fk("conversations.id"))
    agent: str = Field(max_length=16)
    status: str = Field(default="queued", max_length=16)
    stop_reason: str | None = Field(default=None, max_length=32, nullable=True)
    message: str = Field(sa_type=sa.Text)
    document_ids: list[str] = Field(default_factory=list, sa_type=ARRAY(sa.String(64)), nullable=False)
    cancel_requested: bool = Field(default=False)
    last_sequence: int = Field(default=0)
    attempts: int = Field(default=0)
    usage: dict[str, Any] | None = Field(default=None, sa_type=JSONB, nullable=True)
    created_by: uuid.UUID | None = Field(default=None, nullable=True)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)
    started_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    finished_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    error: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    events_compacted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    """When retention folded the run's token events (migration 0019_run_retention, `runs.retention`)."""


class AgentRunEvent(SQLModel, table=True):
    """One event of a run. The primary key (run_id, sequence) is the UNIQUE(run_id, sequence) of the design.

    Every read is "events of run R after sequence N", which the primary key serves; row-level security's
    `space_id` test is then a filter on those few rows, so no separate space index is paid on each insert.
    """

    __tablename__ = "agent_run_events"

    run_id: uuid.UUID = Field(
        sa_column=sa.Column(sa.Uuid, sa.ForeignKey("agent_runs.id", ondelete="CASCADE"), primary_key=True)
    )
    sequence: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True))
    organization_id: uuid.UUID = Field(nullable=False)
    space_id: uuid.UUID = Field(nullable=False)
    type: str = Field(max_length=16)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB, nullable=False)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


__all__ = ["ACTIVE_STATUSES", "FINAL_STATUSES", "RUN_STATUSES", "AgentRun", "AgentRunEvent", "RunStatus"]
