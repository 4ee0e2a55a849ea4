"""SQL for retrieval's own rows (pinned key facts). Keyword-only, `session, scope` first; every statement
filters by the scope's space. The search SQL itself is in `queries.py` and `keyword.py`."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from backend.core.db import TenantScope
from backend.retrieval.models import KeyFact


async def list_key_facts(
    session: AsyncSession, scope: TenantScope, *, limit: int, offset: int
) -> tuple[list[KeyFact], int]:
    """The space's facts, newest first, and how many there are."""
    where = col(KeyFact.space_id) == scope.space_id
    total = (await session.execute(select(func.count()).select_from(KeyFact).where(where))).scalar_one()
    statement = select(KeyFact).where(where).order_by(col(KeyFact.created_at).desc()).limit(limit).offset(offset)
    return list((await session.execute(statement)).scalars()), int(total)


async def count_key_facts(session: AsyncSession, scope: TenantScope) -> int:
    statement = select(func.count()).select_from(KeyFact).where(col(KeyFact.space_id) == scope.space_id)
    return int((await session.execute(statement)).scalar_one())


async def add_key_fact(session: AsyncSession, scope: TenantScope, *, text: str, created_by: uuid.UUID) -> KeyFact:
    fact = KeyFact(organization_id=scope.organization_id, space_id=scope.space_id, text=text, created_by=created_by)
    session.add(fact)
    await session.flush()
    return fact


async def delete_key_fact(session: AsyncSession, scope: TenantScope, *, fact_id: uuid.UUID) -> bool:
    """True when the fact was in the space and is gone."""
    result = await session.execute(
        delete(KeyFact).where(col(KeyFact.id) == fact_id, col(KeyFact.space_id) == scope.space_id)
    )
    return bool(getattr(result, "rowcount", 0))


__all__ = ["add_key_fact", "count_key_facts", "delete_key_fact", "list_key_facts"]
