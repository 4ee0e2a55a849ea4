"""Analytics: a space's GA4 connection (encrypted tokens) and pending OAuth states, under forced RLS.

Revision ID: 0011_analytics
Revises: 0008_runs
Create Date: 2026-12-03

One connection per space (unique space_id). An OAuth state row lives from the Connect click to the callback
(or its expiry) and is deleted when used, so a state works once.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from backend.core.rls import disable_rls, enable_space_rls

revision: str = "0011_analytics"
down_revision: str | None = "0008_runs"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)
_TABLES = ("ga4_connections", "ga4_oauth_states")


def _fk(name: str, target: str, **kwargs: object) -> sa.Column:
    return sa.Column(name, sa.Uuid, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False, **kwargs)


def upgrade() -> None:
    op.create_table(
        "ga4_connections",
        sa.Column("id", sa.Uuid, primary_key=True),
        _fk("organization_id", "organizations.id"),
        _fk("space_id", "spaces.id", unique=True),
        sa.Column("refresh_token_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("access_token_encrypted", sa.LargeBinary, nullable=True),
        sa.Column("access_expires_at", _TZ, nullable=True),
        sa.Column("scope", sa.Text, nullable=False, server_default=""),
        sa.Column("property_id", sa.String(32), nullable=True),
        sa.Column("property_name", sa.String(300), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="connected"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("connected_by", sa.Uuid, nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.CheckConstraint("status IN ('connected', 'needs_reconnect')", name="ck_ga4_status"),
    )
    op.create_table(
        "ga4_oauth_states",
        sa.Column("state_hash", sa.String(64), primary_key=True),
        _fk("organization_id", "organizations.id"),
        _fk("space_id", "spaces.id"),
        _fk("user_id", "users.id"),
        sa.Column("code_verifier_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("return_to", sa.String(200), nullable=False, server_default=""),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
    )
    op.create_index("ix_ga4_oauth_states_space_id", "ga4_oauth_states", ["space_id"])
    for table in _TABLES:
        for statement in enable_space_rls(table):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(_TABLES):
        for statement in disable_rls(table):
            op.execute(statement)
        op.drop_table(table)
