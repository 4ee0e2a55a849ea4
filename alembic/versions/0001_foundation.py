"""Foundation: extensions, the application role, default grants, the durable job queue.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from procrastinate.schema import SchemaManager
from sqlalchemy import text

from alembic import op
from backend.core.config import APP_DB_ROLE, get_settings

revision: str = "0001_foundation"
down_revision: str | None = None
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")

    # The application connects as this role: it owns nothing and cannot bypass row-level security.
    bind = op.get_bind()
    exists = bind.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_DB_ROLE}).scalar()
    if not exists:
        op.execute(f"CREATE ROLE {APP_DB_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
    op.execute(f"ALTER ROLE {APP_DB_ROLE} NOSUPERUSER NOBYPASSRLS")
    password = get_settings().database_app_password
    if password:
        escaped = password.replace("'", "''")
        op.execute(f"ALTER ROLE {APP_DB_ROLE} PASSWORD '{escaped}'")
    database = bind.execute(text("SELECT current_database()")).scalar()
    op.execute(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO {APP_DB_ROLE}')
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_DB_ROLE}")
    # Every table, sequence and function a later migration creates is usable (not owned) by the app role.
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_DB_ROLE}"
    )
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {APP_DB_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO {APP_DB_ROLE}")

    # procrastinate's own schema (jobs, events, workers, periodic defers).
    # Through the raw driver: the schema script contains '%' characters that bind-parameter parsing rejects.
    bind.connection.driver_connection.execute(SchemaManager.get_schema())
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_DB_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_DB_ROLE}")
    op.execute(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {APP_DB_ROLE}")


def downgrade() -> None:
    raise NotImplementedError("the foundation revision cannot be downgraded")
