"""The application role writes only what it must: the audit log is append-only and the migration table is
the migrations' own (migrations run as the schema owner)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

REFUSED = [
    "UPDATE audit_log SET action = 'rewritten'",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log",
    "UPDATE alembic_version SET version_num = 'x'",
    "DELETE FROM alembic_version",
    "INSERT INTO alembic_version VALUES ('x')",
]


@pytest.mark.parametrize("statement", REFUSED)
async def test_the_app_role_cannot_rewrite_history(app_engine: AsyncEngine, statement: str) -> None:
    async with app_engine.connect() as conn:
        with pytest.raises(ProgrammingError, match="permission denied"):
            await conn.execute(text(statement))
        await conn.rollback()


async def test_the_app_role_still_appends_and_reads_the_audit_log(app_engine: AsyncEngine) -> None:
    async with app_engine.connect() as conn:
        privileges = (
            await conn.execute(
                text(
                    "SELECT has_table_privilege('audit_log', 'INSERT'), has_table_privilege('audit_log', 'SELECT'),"
                    " has_table_privilege('alembic_version', 'SELECT')"
                )
            )
        ).one()
    assert tuple(privileges) == (True, True, True)
