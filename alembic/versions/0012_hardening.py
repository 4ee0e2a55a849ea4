"""Hardening: the application role loses write access to what it never writes.

Revision ID: 0012_hardening
Revises: 0011_analytics
Create Date: 2026-12-03

The audit log is append-only: the app inserts rows and reads them, never changes or removes one, so a
bug or an injected statement cannot rewrite history. The migration table belongs to migrations, which run
as the schema owner.
"""

from collections.abc import Sequence

from alembic import op
from backend.core.config import APP_DB_ROLE

revision: str = "0012_hardening"
down_revision: str | None = "0011_analytics"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {APP_DB_ROLE}")
    op.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {APP_DB_ROLE}")


def downgrade() -> None:
    op.execute(f"GRANT INSERT, UPDATE, DELETE ON alembic_version TO {APP_DB_ROLE}")
    op.execute(f"GRANT UPDATE, DELETE ON audit_log TO {APP_DB_ROLE}")
