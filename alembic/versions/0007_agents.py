"""Agents: per-space agent settings, conversations, and LangGraph's checkpoint tables under row-level security.

Revision ID: 0007_agents
Revises: 0006_image_embeddings
Create Date: 2026-12-03

The checkpoint tables are the ones `langgraph-checkpoint-postgres` 3.x expects (its MIGRATIONS list, applied
in full, with `checkpoint_migrations` filled in so the library's own `setup()` is never needed: it runs
`CREATE INDEX CONCURRENTLY`, which cannot run inside a migration's transaction). Their thread ids are
`<space id>:<conversation id>`, so the policy keys on that prefix: a checkpoint of another space is
invisible and cannot be written, even by code that forgot to check the thread id.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from alembic import op
from backend.core.rls import SPACE_SETTING, disable_rls, enable_space_rls

revision: str = "0007_agents"
down_revision: str | None = "0006_image_embeddings"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)
CHECKPOINT_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
CHECKPOINT_LIBRARY_VERSIONS = 10
"""How many entries langgraph-checkpoint-postgres's MIGRATIONS list has (all applied below)."""


def _fk(name: str, target: str) -> sa.Column:
    return sa.Column(name, sa.Uuid, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


def _thread_space() -> str:
    # The space part of `<space uuid>:<conversation uuid>`, compared as text (a malformed id matches nothing).
    return f"split_part(thread_id, ':', 1) = ({SPACE_SETTING})::text"


def upgrade() -> None:
    op.create_table(
        "agent_settings",
        sa.Column("id", sa.Uuid, primary_key=True),
        _fk("organization_id", "organizations.id"),
        _fk("space_id", "spaces.id"),
        sa.Column("agent", sa.String(16), nullable=False),
        sa.Column("temperature", sa.Float, nullable=True),
        sa.Column("extra_instructions", sa.Text, nullable=True),
        sa.Column("collections", ARRAY(sa.String(64)), nullable=True),
        sa.Column("top_k", sa.Integer, nullable=True),
        sa.Column("max_iterations", sa.Integer, nullable=True),
        sa.Column("updated_by", sa.Uuid, nullable=True),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.UniqueConstraint("space_id", "agent", name="uq_agent_settings_space_agent"),
        sa.CheckConstraint("agent IN ('seo', 'email', 'brand', 'strategy')", name="ck_agent_settings_agent"),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.Uuid, primary_key=True),
        _fk("organization_id", "organizations.id"),
        _fk("space_id", "spaces.id"),
        sa.Column("agent", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_by", sa.Uuid, nullable=True),
        sa.Column("message_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.CheckConstraint("agent IN ('seo', 'email', 'brand', 'strategy')", name="ck_conversations_agent"),
    )
    op.create_index("ix_conversations_space_updated", "conversations", ["space_id", "updated_at"])
    for table in ("agent_settings", "conversations"):
        for statement in enable_space_rls(table):
            op.execute(statement)

    op.execute("CREATE TABLE checkpoint_migrations (v INTEGER PRIMARY KEY)")
    op.execute(
        """CREATE TABLE checkpoints (
            thread_id TEXT NOT NULL,
            checkpoint_ns TEXT NOT NULL DEFAULT '',
            checkpoint_id TEXT NOT NULL,
            parent_checkpoint_id TEXT,
            type TEXT,
            checkpoint JSONB NOT NULL,
            metadata JSONB NOT NULL DEFAULT '{}',
            PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id))"""
    )
    op.execute(
        """CREATE TABLE checkpoint_blobs (
            thread_id TEXT NOT NULL,
            checkpoint_ns TEXT NOT NULL DEFAULT '',
            channel TEXT NOT NULL,
            version TEXT NOT NULL,
            type TEXT NOT NULL,
            blob BYTEA,
            PRIMARY KEY (thread_id, checkpoint_ns, channel, version))"""
    )
    op.execute(
        """CREATE TABLE checkpoint_writes (
            thread_id TEXT NOT NULL,
            checkpoint_ns TEXT NOT NULL DEFAULT '',
            checkpoint_id TEXT NOT NULL,
            task_id TEXT NOT NULL,
            idx INTEGER NOT NULL,
            channel TEXT NOT NULL,
            type TEXT,
            blob BYTEA NOT NULL,
            task_path TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx))"""
    )
    for table in CHECKPOINT_TABLES:
        op.execute(f"CREATE INDEX {table}_thread_id_idx ON {table} (thread_id)")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY {table}_space_isolation ON {table} USING ({_thread_space()}) WITH CHECK ({_thread_space()})"
        )
    op.execute(
        f"INSERT INTO checkpoint_migrations (v) SELECT generate_series(0, {CHECKPOINT_LIBRARY_VERSIONS - 1})"
    )


def downgrade() -> None:
    for table in CHECKPOINT_TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table}")
    op.execute("DROP TABLE IF EXISTS checkpoint_migrations")
    for table in ("conversations", "agent_settings"):
        for statement in disable_rls(table):
            op.execute(statement)
        op.drop_table(table)
