"""SQL of the agents domain. Keyword-only functions, `session, scope` first; every query filters by the space
(and row-level security confines it again)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, delete, select

from backend.agents.models import AgentSettings, Conversation
from backend.core.db import TenantScope


async def settings_rows(session: AsyncSession, scope: TenantScope) -> dict[str, AgentSettings]:
    rows = (await session.execute(select(AgentSettings).where(AgentSettings.space_id == scope.space_id))).scalars()
    return {row.agent: row for row in rows}


async def upsert_settings(
    session: AsyncSession, scope: TenantScope, *, agent: str, values: dict[str, Any], user_id: uuid.UUID
) -> AgentSettings:
    row = (
        await session.execute(
            select(AgentSettings)
            .where(AgentSettings.space_id == scope.space_id, AgentSettings.agent == agent)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        row = AgentSettings(organization_id=scope.organization_id, space_id=scope.space_id, agent=agent)
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by = user_id
    row.updated_at = datetime.now(UTC)
    await session.flush()
    return row


async def add_conversation(
    session: AsyncSession, scope: TenantScope, *, agent: str, title: str, user_id: uuid.UUID
) -> Conversation:
    row = Conversation(
        organization_id=scope.organization_id, space_id=scope.space_id, agent=agent, title=title, created_by=user_id
    )
    session.add(row)
    await session.flush()
    return row


async def get_conversation(
    session: AsyncSession, scope: TenantScope, *, conversation_id: uuid.UUID, lock: bool = False
) -> Conversation | None:
    query = select(Conversation).where(Conversation.id == conversation_id, Conversation.space_id == scope.space_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def list_conversations(
    session: AsyncSession, scope: TenantScope, *, agent: str | None, limit: int, offset: int
) -> tuple[list[Conversation], int]:
    where = [Conversation.space_id == scope.space_id]
    if agent:
        where.append(Conversation.agent == agent)
    total = (await session.execute(select(func.count()).select_from(Conversation).where(*where))).scalar_one()
    rows = (
        await session.execute(
            select(Conversation)
            .where(*where)
            .order_by(col(Conversation.updated_at).desc(), col(Conversation.id))
            .limit(limit)
            .offset(offset)
        )
    ).scalars()
    return list(rows), int(total)


async def delete_conversation(session: AsyncSession, scope: TenantScope, *, conversation_id: uuid.UUID) -> bool:
    result = await session.execute(
        delete(Conversation).where(
            col(Conversation.id) == conversation_id, col(Conversation.space_id) == scope.space_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def touch_conversation(
    session: AsyncSession, scope: TenantScope, *, conversation_id: uuid.UUID, messages_added: int
) -> None:
    row = await get_conversation(session, scope, conversation_id=conversation_id, lock=True)
    if row is not None:
        row.message_count += messages_added
        row.updated_at = datetime.now(UTC)


__all__ = [
    "add_conversation",
    "delete_conversation",
    "get_conversation",
    "list_conversations",
    "settings_rows",
    "touch_conversation",
    "upsert_settings",
]
