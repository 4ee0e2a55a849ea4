"""Dashboard: an index for "a space's runs in a date range, newest first".

Revision ID: 0014_dashboard
Revises: 0009_content, 0011_analytics
Create Date: 2026-12-03

The dashboard counts a space's runs by status and stop reason over a date range and lists the newest ones.
`ix_agent_runs_space_conversation` leads with the conversation, so without this index those queries read
every run of the space (10k runs: a sequential scan on each dashboard load). It also joins the content and
analytics heads (both revise 0008_runs); the lead re-chains migrations at merge time.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_dashboard"
down_revision: str | tuple[str, ...] | None = ("0009_content", "0011_analytics")
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_agent_runs_space_created", "agent_runs", ["space_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_agent_runs_space_created", table_name="agent_runs")
