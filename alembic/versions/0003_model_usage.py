"""Model usage: one row per chat or embedding call, and each space's monthly token budget.

Revision ID: 0003_model_usage
Revises: 0002_tenancy
Create Date: 2026-11-26

Both tables are space data: a space sees only its own usage and budget. Row-level security confines them to
the transaction's `app.space_id` (policies FORCEd, from `backend/core/rls.py`), so even a query that forgets
its `space_id` filter cannot read another space's usage. `space_id` leads every index because every query
is about one space (the budget check sums one space's rows of the current month). Rows go with their space
(ON DELETE CASCADE). The application role's grants come from the default privileges set in 0001.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from backend.core.rls import disable_rls, enable_space_rls

revision: str = "0003_model_usage"
down_revision: str | None = "0002_tenancy"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)
_TABLES = ("model_usage", "space_budgets")


def _space_fk(*, primary_key: bool = False) -> sa.Column:
    return sa.Column(
        "space_id", sa.Uuid, sa.ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=primary_key, nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "model_usage",
        sa.Column("id", sa.Uuid, primary_key=True),
        _space_fk(),
        sa.Column("organization_id", sa.Uuid, nullable=False),
        sa.Column("run_id", sa.Uuid, nullable=True),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("tokens_in", sa.Integer, nullable=False, server_default="0"),
        sa.Column("tokens_out", sa.Integer, nullable=False, server_default="0"),
        sa.Column("latency_ms", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ttft_ms", sa.Integer, nullable=True),
        sa.Column("created_at", _TZ, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_model_usage_space_created", "model_usage", ["space_id", "created_at"])
    op.create_index("ix_model_usage_space_run", "model_usage", ["space_id", "run_id"])
    op.create_table(
        "space_budgets",
        _space_fk(primary_key=True),
        sa.Column("organization_id", sa.Uuid, nullable=False),
        sa.Column("monthly_token_limit", sa.BigInteger, nullable=True),
        sa.Column("updated_at", _TZ, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("monthly_token_limit IS NULL OR monthly_token_limit >= 0", name="ck_space_budgets_limit"),
    )
    for table in _TABLES:
        for statement in enable_space_rls(table):
            op.execute(statement)


def downgrade() -> None:
    for table in _TABLES:
        for statement in disable_rls(table):
            op.execute(statement)
    op.drop_table("space_budgets")
    op.drop_index("ix_model_usage_space_run", table_name="model_usage")
    op.drop_index("ix_model_usage_space_created", table_name="model_usage")
    op.drop_table("model_usage")
