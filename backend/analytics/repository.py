"""SQL of the analytics domain. Keyword-only; `session, scope` first; every query filtered by the space."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from backend.analytics.models import Ga4Connection, Ga4OAuthState
from backend.core.db import TenantScope


async def get_connection(session: AsyncSession, scope: TenantScope, *, lock: bool = False) -> Ga4Connection | None:
    query = select(Ga4Connection).where(col(Ga4Connection.space_id) == scope.space_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalars().first()


async def save_connection(session: AsyncSession, scope: TenantScope, *, values: dict[str, Any]) -> Ga4Connection:
    """Insert or replace the space's connection (a reconnect replaces tokens and keeps the chosen property)."""
    row = await get_connection(session, scope, lock=True)
    if row is None:
        row = Ga4Connection(organization_id=scope.organization_id, space_id=scope.space_id, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    await session.flush()
    return row


async def update_connection(session: AsyncSession, scope: TenantScope, *, values: dict[str, Any]) -> bool:
    result = await session.execute(
        update(Ga4Connection).where(col(Ga4Connection.space_id) == scope.space_id).values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def delete_connection(session: AsyncSession, scope: TenantScope) -> Ga4Connection | None:
    row = await get_connection(session, scope, lock=True)
    if row is not None:
        await session.delete(row)
        await session.flush()
    return row


async def add_state(
    session: AsyncSession,
    scope: TenantScope,
    *,
    state_hash: str,
    user_id: uuid.UUID,
    code_verifier_encrypted: bytes,
    return_to: str,
    expires_at: datetime,
    now: datetime,
) -> None:
    """Store a Connect link's state; the space's expired states go at the same time."""
    await session.execute(
        delete(Ga4OAuthState).where(col(Ga4OAuthState.space_id) == scope.space_id, col(Ga4OAuthState.expires_at) < now)
    )
    session.add(
        Ga4OAuthState(
            state_hash=state_hash,
            organization_id=scope.organization_id,
            space_id=scope.space_id,
            user_id=user_id,
            code_verifier_encrypted=code_verifier_encrypted,
            return_to=return_to,
            expires_at=expires_at,
        )
    )
    await session.flush()


async def take_state(session: AsyncSession, scope: TenantScope, *, state_hash: str) -> Ga4OAuthState | None:
    """Delete and return the state (one statement: two callbacks racing with one state cannot both get it)."""
    result = await session.execute(
        delete(Ga4OAuthState)
        .where(col(Ga4OAuthState.space_id) == scope.space_id, col(Ga4OAuthState.state_hash) == state_hash)
        .returning(Ga4OAuthState)
    )
    return result.scalars().first()


__all__ = [
    "add_state",
    "delete_connection",
    "get_connection",
    "save_connection",
    "take_state",
    "update_connection",
]
