"""SQL for row-level security on tenant tables, used by migrations so every table gets the same wall."""

from __future__ import annotations

from backend.core.config import APP_DB_ROLE

SPACE_SETTING = "NULLIF(current_setting('app.space_id', true), '')::uuid"
ORG_SETTING = "NULLIF(current_setting('app.organization_id', true), '')::uuid"


def enable_space_rls(table: str) -> list[str]:
    """Statements that confine `table` (with a space_id column) to the transaction's current space.

    FORCE makes the policy apply to the table owner too; the application role neither owns tables nor has
    BYPASSRLS. An unset space matches nothing, so a missing scope returns no rows instead of all rows.
    """
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {table}_space_isolation ON {table} "
        f"USING (space_id = {SPACE_SETTING}) WITH CHECK (space_id = {SPACE_SETTING})",
    ]


def enable_org_rls(table: str, column: str = "organization_id") -> list[str]:
    """Statements that confine `table` to the transaction's current organization."""
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {table}_org_isolation ON {table} "
        f"USING ({column} = {ORG_SETTING}) WITH CHECK ({column} = {ORG_SETTING})",
    ]


def disable_rls(table: str, policy_suffix: str = "space_isolation") -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {table}_{policy_suffix} ON {table}",
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


__all__ = ["APP_DB_ROLE", "disable_rls", "enable_org_rls", "enable_space_rls"]
