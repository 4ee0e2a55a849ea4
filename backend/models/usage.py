"""Tables of model usage (one row per model call) and of each space's monthly token budget.

Both are tenant tables: `space_id` leads every index and row-level security confines them to the current
space (migration 0003_model_usage). This module only declares tables, so importing it stays cheap for
Alembic and `backend.schema`; reading and writing them is `backend.models.accounting`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


def _space_fk(*, primary_key: bool = False) -> sa.Column:  # type: ignore[type-arg]
    # A space's usage and budget go with it when the space is deleted.
    return sa.Column(sa.Uuid, sa.ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=primary_key, nullable=False)


class ModelUsage(SQLModel, table=True):
    """One chat or embedding call: who paid (space, run), which model, how much, how fast."""

    __tablename__ = "model_usage"
    __table_args__ = (
        # Budget checks sum one space's rows of the current month: space first, then time. The usage columns
        # ride along so those sums and the dashboard's usage by agent and model are index-only (0014_dashboard).
        sa.Index(
            "ix_model_usage_space_created",
            "space_id",
            "created_at",
            postgresql_include=["run_id", "role", "provider", "model", "tokens_in", "tokens_out"],
        ),
        sa.Index("ix_model_usage_space_run", "space_id", "run_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    space_id: uuid.UUID = Field(sa_column=_space_fk())
    organization_id: uuid.UUID = Field(nullable=False)
    run_id: uuid.UUID | None = Field(default=None, nullable=True)
    provider: str = Field(max_length=32)
    model: str = Field(max_length=200)
    role: str = Field(max_length=16, description="main, fast or embedding")
    tokens_in: int = Field(default=0, sa_type=sa.Integer)
    tokens_out: int = Field(default=0, sa_type=sa.Integer)
    latency_ms: int = Field(default=0, sa_type=sa.Integer)
    ttft_ms: int | None = Field(default=None, sa_type=sa.Integer, description="time to first token, when measured")
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


class SpaceBudget(SQLModel, table=True):
    """A space's monthly token budget. No row, or a NULL limit, means the space has no budget."""

    __tablename__ = "space_budgets"
    __table_args__ = (
        sa.CheckConstraint("monthly_token_limit IS NULL OR monthly_token_limit >= 0", name="ck_space_budgets_limit"),
    )

    space_id: uuid.UUID = Field(sa_column=_space_fk(primary_key=True))
    organization_id: uuid.UUID = Field(nullable=False)
    monthly_token_limit: int | None = Field(default=None, sa_type=sa.BigInteger, nullable=True)
    updated_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


__all__ = ["ModelUsage", "SpaceBudget"]
