"""Dashboard: covering indexes for a space's runs and model usage in a date range.

Revision ID: 0014_dashboard
Revises: 0012_hardening
Create Date: 2026-12-03

The dashboard counts a space's runs by status and stop reason over a date range, lists the newest ones, and
sums model usage by agent and model over the range (usage joined to its run for the agent). With 10,000 runs
and 22,000 usage rows in a space those scans fetched one heap page per row (bench/results/dashboard.md); with
the columns they read carried in the index they are index-only scans once autovacuum has set the visibility
map. `ix_model_usage_space_created` keeps its name and key columns (the budget check uses it too) and gains
the usage columns. It also joins the content and analytics heads (both revise 0008_runs); the lead re-chains
migrations at merge time.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_dashboard"
down_revision: str | None = "0012_hardening"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


RUN_COLUMNS = ["status", "stop_reason", "agent", "id"]
USAGE_COLUMNS = ["run_id", "role", "provider", "model", "tokens_in", "tokens_out"]


def upgrade() -> None:
    op.create_index(
        "ix_agent_runs_space_created", "agent_runs", ["space_id", "created_at"], postgresql_include=RUN_COLUMNS
    )
    op.drop_index("ix_model_usage_space_created", table_name="model_usage")
    op.create_index(
        "ix_model_usage_space_created", "model_usage", ["space_id", "created_at"], postgresql_include=USAGE_COLUMNS
    )


def downgrade() -> None:
    op.drop_index("ix_model_usage_space_created", table_name="model_usage")
    op.create_index("ix_model_usage_space_created", "model_usage", ["space_id", "created_at"])
    op.drop_index("ix_agent_runs_space_created", table_name="agent_runs")
