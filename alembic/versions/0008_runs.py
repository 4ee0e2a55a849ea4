"""Runs: agent runs and their event log, both under forced row-level security.

Revision ID: 0008_runs
Revises: 0007_agents
Create Date: 2026-12-03

`agent_runs.last_sequence` allocates event sequences (see backend/runs/models.py). The partial unique
index allows one active (queued or running) run per conversation.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from alembic import op
from backend.core.rls import disable_rls, enable_space_rls

revision: str = "0008_runs"
down_revision: str | None = "0007_agents"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)
_STATUSES = "'queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'"
_TYPES = "'status', 'token', 'step', 'tool_call', 'tool_result', 'citation', 'error', 'complete'"


def _fk(name: str, target: str) -> sa.Column:
    return sa.Column(name, sa.Uuid, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "agent_runs",
        sa.Column("id", sa.Uuid, primary_key=True),
        _fk("organization_id", "organizations.id"),
        _fk("space_id", "spaces.id"),
        _fk("conversation_id", "conversations.id"),
        sa.Column("agent", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="queued"),
        sa.Column("stop_reason", sa.String(32), nullable=True),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("document_ids", ARRAY(sa.String(64)), nullable=False, server_default="{}"),
        sa.Column("cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("last_sequence", sa.Integer, nullable=False, server_default="0"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("usage", JSONB, nullable=True),
        sa.Column("created_by", sa.Uuid, nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("started_at", _TZ, nullable=True),
        sa.Column("finished_at", _TZ, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.CheckConstraint(f"status IN ({_STATUSES})", name="ck_agent_runs_status"),
        sa.CheckConstraint("last_sequence >= 0", name="ck_agent_runs_last_sequence"),
    )
    op.create_index("ix_agent_runs_space_conversation", "agent_runs", ["space_id", "conversation_id", "created_at"])
    op.create_index(
        "uq_agent_runs_one_active_per_conversation",
        "agent_runs",
        ["conversation_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )
    op.create_table(
        "agent_run_events",
        sa.Column("run_id", sa.Uuid, sa.ForeignKey("agent_runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("organization_id", sa.Uuid, nullable=False),
        sa.Column("space_id", sa.Uuid, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "sequence", name="pk_agent_run_events"),
        sa.CheckConstraint(f"type IN ({_TYPES})", name="ck_agent_run_events_type"),
        sa.CheckConstraint("sequence >= 1", name="ck_agent_run_events_sequence"),
    )
    for table in ("agent_runs", "agent_run_events"):
        for statement in enable_space_rls(table):
            op.execute(statement)


def downgrade() -> None:
    for table in ("agent_run_events", "agent_runs"):
        for statement in disable_rls(table):
            op.execute(statement)
        op.drop_table(table)
