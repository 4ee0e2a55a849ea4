"""The Slack review channel's name next to its id.

Revision ID: 0020_slack_channel_name
Revises: 0019_run_retention
Create Date: 2026-12-04

The review channel is now picked from the workspace's channels and checked with Slack before it is stored:
`slack_connections.channel` keeps the channel's id (stable across renames) and `channel_name` the name shown
on the Slack page. Rows stored before keep what they had (a #name or an id) with an empty name.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0020_slack_channel_name"
down_revision: str | None = "0019_run_retention"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "slack_connections", sa.Column("channel_name", sa.String(length=80), nullable=False, server_default="")
    )


def downgrade() -> None:
    op.drop_column("slack_connections", "channel_name")
