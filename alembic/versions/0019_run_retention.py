"""Retention of run events: a finished run's token events are folded into a few after a configurable period.

Revision ID: 0019_run_retention
Revises: 0018_email_verification
Create Date: 2026-12-03

`agent_runs.events_compacted_at` marks a run whose token events were folded (see backend/runs/retention.py),
with a partial index on the runs still to fold. The sweep must find those runs across spaces, which
row-level security (correctly) hides from the application role: `obelisk_runs_to_compact` returns only the
ids (organization, space, run) of finished runs older than a cutoff, like the job table the recovery sweep
reads; each run is then read and changed in its own space's transaction, under row-level security. The
owner gets a SELECT-only policy on `agent_runs` so the function also works where the owner is subject to
the FORCEd policies (the application role is unaffected by it).

Only `agent_runs` is touched (no lock on the checkpoint tables, no rewrite: a nullable column without a
default is a catalog change).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from backend.core.config import APP_DB_ROLE

revision: str = "0019_run_retention"
down_revision: str | None = "0018_email_verification"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_SIGNATURE = "obelisk_runs_to_compact(timestamptz, integer)"


def upgrade() -> None:
    op.add_column("agent_runs", sa.Column("events_compacted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_agent_runs_to_compact",
        "agent_runs",
        ["finished_at"],
        postgresql_where=sa.text("events_compacted_at IS NULL AND finished_at IS NOT NULL"),
    )
    op.execute("CREATE POLICY agent_runs_owner_lookup ON agent_runs FOR SELECT TO CURRENT_USER USING (true)")
    op.execute(
        """
        CREATE FUNCTION obelisk_runs_to_compact(p_before timestamptz, p_limit integer)
        RETURNS TABLE (organization_id uuid, space_id uuid, run_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT r.organization_id, r.space_id, r.id FROM public.agent_runs r
            WHERE r.events_compacted_at IS NULL AND r.finished_at IS NOT NULL AND r.finished_at < p_before
              AND r.status IN ('completed', 'failed', 'cancelled', 'interrupted')
            ORDER BY r.finished_at LIMIT least(greatest(p_limit, 0), 1000)
        $$
        """
    )
    op.execute(f"REVOKE ALL ON FUNCTION {_SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {_SIGNATURE} TO {APP_DB_ROLE}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {_SIGNATURE}")
    op.execute("DROP POLICY IF EXISTS agent_runs_owner_lookup ON agent_runs")
    op.drop_index("ix_agent_runs_to_compact", table_name="agent_runs")
    op.drop_column("agent_runs", "events_compacted_at")
