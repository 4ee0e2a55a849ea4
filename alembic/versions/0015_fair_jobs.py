"""Fair job scheduling: an index for counting one space's waiting jobs of a task.

Revision ID: 0015_fair_jobs
Revises: 0014_dashboard
Create Date: 2026-12-03

`backend.jobs.queue.fair_priority` counts a space's waiting jobs of a task each time it defers one; the
partial index keeps that count a small index range scan while another space's thousands of jobs wait.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_fair_jobs"
down_revision: str | None = "0014_dashboard"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX IF NOT EXISTS procrastinate_jobs_space_waiting ON procrastinate_jobs"
        " (task_name, (args->>'space_id'), priority) WHERE status IN ('todo', 'doing')"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS procrastinate_jobs_space_waiting")
