"""Slack: per-space connections (encrypted credentials) and review messages, under forced row-level security.

Revision ID: 0010_slack
Revises: 0009_content
Create Date: 2026-12-03

See backend/slack/models.py. A review row keeps the channel and `ts` of its message (edited in place with
`chat.update`) and the hash of the version it shows.

Reminders are the one cross-space read: a periodic job asks `obelisk_slack_spaces_due(cutoff)` which spaces
have a review waiting since before the cutoff and not reminded since. It returns ids only; each space's
reviews are then read and changed in that space's own transaction, under row-level security.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from backend.core.config import APP_DB_ROLE
from backend.core.rls import disable_rls, enable_space_rls

revision: str = "0010_slack"
down_revision: str | None = "0009_content"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)
_DUE = "obelisk_slack_spaces_due(timestamptz)"
_STATUSES = "'pending', 'approved', 'changes_requested', 'revising', 'revised', 'superseded'"


def _fk(name: str, target: str) -> sa.Column:
    return sa.Column(name, sa.Uuid, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "slack_connections",
        sa.Column("id", sa.Uuid, primary_key=True),
        _fk("organization_id", "organizations.id"),
        _fk("space_id", "spaces.id"),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("team_name", sa.String(200), nullable=False),
        sa.Column("bot_user_id", sa.String(32), nullable=False, server_default=""),
        sa.Column("channel", sa.String(80), nullable=False),
        sa.Column("bot_token_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("signing_secret_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("installed_via", sa.String(16), nullable=False, server_default="token"),
        sa.Column("installed_by", sa.Uuid, nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.UniqueConstraint("space_id", name="uq_slack_connections_space"),
        sa.CheckConstraint("installed_via IN ('token', 'oauth')", name="ck_slack_connections_installed_via"),
    )
    op.create_table(
        "slack_reviews",
        sa.Column("id", sa.Uuid, primary_key=True),
        _fk("organization_id", "organizations.id"),
        _fk("space_id", "spaces.id"),
        _fk("content_item_id", "content_items.id"),
        sa.Column("version_number", sa.Integer, nullable=False),
        sa.Column("version_hash", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(80), nullable=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("sent_by", sa.Uuid, nullable=True),
        sa.Column("decided_by_slack_user", sa.String(64), nullable=True),
        sa.Column("decided_by_slack_name", sa.String(200), nullable=True),
        sa.Column("decided_at", _TZ, nullable=True),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("revised_version_number", sa.Integer, nullable=True),
        sa.Column("revision_error", sa.Text, nullable=True),
        sa.Column("reminded_at", _TZ, nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.UniqueConstraint("space_id", "channel", "ts", name="uq_slack_reviews_message"),
        sa.CheckConstraint(f"status IN ({_STATUSES})", name="ck_slack_reviews_status"),
    )
    op.create_index("ix_slack_reviews_space_item", "slack_reviews", ["space_id", "content_item_id", "created_at"])
    op.create_index("ix_slack_reviews_pending", "slack_reviews", ["status", "created_at"])
    for table in ("slack_connections", "slack_reviews"):
        for statement in enable_space_rls(table):
            op.execute(statement)
    # The lookup runs as the owner; FORCE would otherwise hide every row from it too.
    op.execute("CREATE POLICY slack_reviews_owner_lookup ON slack_reviews FOR SELECT TO CURRENT_USER USING (true)")
    op.execute(
        """
        CREATE FUNCTION obelisk_slack_spaces_due(p_cutoff timestamptz)
        RETURNS TABLE (organization_id uuid, space_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT DISTINCT r.organization_id, r.space_id FROM public.slack_reviews r
            WHERE r.status = 'pending' AND r.created_at < p_cutoff
              AND (r.reminded_at IS NULL OR r.reminded_at < p_cutoff)
        $$
        """
    )
    op.execute(f"REVOKE ALL ON FUNCTION {_DUE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {_DUE} TO {APP_DB_ROLE}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {_DUE}")
    op.execute("DROP POLICY IF EXISTS slack_reviews_owner_lookup ON slack_reviews")
    for table in ("slack_reviews", "slack_connections"):
        for statement in disable_rls(table):
            op.execute(statement)
        op.drop_table(table)
