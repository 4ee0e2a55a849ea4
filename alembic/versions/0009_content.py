"""Content: items, versions with their scores, review transitions, comments and review settings, all under
forced row-level security.

Revision ID: 0009_content
Revises: 0008_runs
Create Date: 2026-12-03

States and actions are checked by the database too, so no writer can store a state the transition table
(backend/content/review.py) does not know.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from alembic import op
from backend.core.rls import disable_rls, enable_space_rls

revision: str = "0009_content"
down_revision: str | None = "0008_runs"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)
_STATES = "'draft', 'in_review', 'approved', 'changes_requested', 'published'"
_ACTIONS = "'submit', 'approve', 'request_changes', 'publish', 'revise'"
_TYPES = "'blog_post', 'email', 'social_post', 'landing_page', 'ad'"
_TABLES = ("content_items", "content_versions", "content_transitions", "content_comments", "content_settings")


def _fk(name: str, target: str) -> sa.Column:
    return sa.Column(name, sa.Uuid, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


def _tenant() -> list[sa.Column]:
    return [sa.Column("organization_id", sa.Uuid, nullable=False), sa.Column("space_id", sa.Uuid, nullable=False)]


def upgrade() -> None:
    op.create_table(
        "content_items",
        sa.Column("id", sa.Uuid, primary_key=True),
        _fk("organization_id", "organizations.id"),
        _fk("space_id", "spaces.id"),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("state", sa.String(24), nullable=False, server_default="draft"),
        sa.Column("current_version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("run_id", sa.Uuid, nullable=True),
        sa.Column("created_by", sa.Uuid, nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.CheckConstraint(f"state IN ({_STATES})", name="ck_content_items_state"),
        sa.CheckConstraint(f"type IN ({_TYPES})", name="ck_content_items_type"),
        sa.CheckConstraint("current_version >= 0", name="ck_content_items_current_version"),
    )
    op.create_index("ix_content_items_space_state", "content_items", ["space_id", "state", "updated_at"])
    op.create_table(
        "content_versions",
        sa.Column("id", sa.Uuid, primary_key=True),
        _fk("item_id", "content_items.id"),
        *_tenant(),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("scores", JSONB, nullable=False, server_default="{}"),
        sa.Column("voice_score", sa.Integer, nullable=True),
        sa.Column("unsupported_claims", sa.Integer, nullable=True),
        sa.Column("created_by", sa.Uuid, nullable=True),
        sa.Column("run_id", sa.Uuid, nullable=True),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("prompt_version", sa.String(100), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.UniqueConstraint("item_id", "number", name="uq_content_versions_item_number"),
        sa.CheckConstraint("number >= 1", name="ck_content_versions_number"),
    )
    op.create_index("ix_content_versions_space_id", "content_versions", ["space_id"])
    op.create_table(
        "content_transitions",
        sa.Column("id", sa.Uuid, primary_key=True),
        _fk("item_id", "content_items.id"),
        *_tenant(),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("from_state", sa.String(24), nullable=False),
        sa.Column("to_state", sa.String(24), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("actor_id", sa.Uuid, nullable=True),
        sa.Column("actor_label", sa.String(320), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("override", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", _TZ, nullable=False),
        sa.CheckConstraint(f"action IN ({_ACTIONS})", name="ck_content_transitions_action"),
        sa.CheckConstraint(
            f"from_state IN ({_STATES}) AND to_state IN ({_STATES})", name="ck_content_transitions_states"
        ),
    )
    op.create_index("ix_content_transitions_item", "content_transitions", ["item_id", "created_at"])
    op.create_index("ix_content_transitions_space_id", "content_transitions", ["space_id"])
    op.create_table(
        "content_comments",
        sa.Column("id", sa.Uuid, primary_key=True),
        _fk("item_id", "content_items.id"),
        *_tenant(),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("author_id", sa.Uuid, nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
    )
    op.create_index("ix_content_comments_item", "content_comments", ["item_id", "created_at"])
    op.create_index("ix_content_comments_space_id", "content_comments", ["space_id"])
    op.create_table(
        "content_settings",
        sa.Column("space_id", sa.Uuid, sa.ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("organization_id", sa.Uuid, nullable=False),
        sa.Column("require_supported_claims", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_by", sa.Uuid, nullable=True),
        sa.Column("updated_at", _TZ, nullable=False),
    )
    for table in _TABLES:
        for statement in enable_space_rls(table):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(_TABLES):
        for statement in disable_rls(table):
            op.execute(statement)
        op.drop_table(table)
