"""SQL of the content domain. Keyword-only; `session, scope` first; every query filters by the scope's space
(row-level security is the second wall behind that filter)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, column, func, select, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.content.models import ContentComment, ContentItem, ContentSettings, ContentTransition, ContentVersion
from backend.core.db import TenantScope
from backend.models.usage import ModelUsage
from backend.tenancy.models import User


def _now() -> datetime:
    return datetime.now(UTC)


# Content ranks with runs in the import order (neither imports the other), so the runs table is named here
# by its columns alone: the item's `run_id` is checked against it, never trusted from the caller.
_AGENT_RUNS = table("agent_runs", column("id"), column("space_id"))


async def run_in_space(session: AsyncSession, scope: TenantScope, *, run_id: uuid.UUID) -> bool:
    """Whether `run_id` is an agent run of the space."""
    statement = select(_AGENT_RUNS.c.id).where(_AGENT_RUNS.c.id == run_id, _AGENT_RUNS.c.space_id == scope.space_id)
    return (await session.execute(statement)).first() is not None


async def add_item(
    session: AsyncSession,
    scope: TenantScope,
    *,
    title: str,
    content_type: str,
    run_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
) -> ContentItem:
    """A new draft item with no version yet (flushed; `add_version` gives it version 1)."""
    row = ContentItem(
        organization_id=scope.organization_id,
        space_id=scope.space_id,
        title=title,
        type=content_type,
        run_id=run_id,
        created_by=user_id,
    )
    session.add(row)
    await session.flush()
    return row


async def get_item(
    session: AsyncSession, scope: TenantScope, *, item_id: uuid.UUID, lock: bool = False
) -> ContentItem | None:
    query = select(ContentItem).where(col(ContentItem.id) == item_id, col(ContentItem.space_id) == scope.space_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def list_items(
    session: AsyncSession,
    scope: TenantScope,
    *,
    states: Iterable[str] = (),
    content_type: str | None = None,
    search: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[ContentItem, ContentVersion | None]], int]:
    """Items of the space (newest change first) with their current version, and the total count."""
    filters: list[Any] = [col(ContentItem.space_id) == scope.space_id]
    wanted = list(states)
    if wanted:
        filters.append(col(ContentItem.state).in_(wanted))
    if content_type:
        filters.append(col(ContentItem.type) == content_type)
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        filters.append(col(ContentItem.title).ilike(f"%{escaped}%", escape="\\"))
    total = (await session.execute(select(func.count()).select_from(ContentItem).where(*filters))).scalar_one()
    query = (
        select(ContentItem, ContentVersion)
        .outerjoin(
            ContentVersion,
            and_(
                col(ContentVersion.item_id) == col(ContentItem.id),
                col(ContentVersion.number) == col(ContentItem.current_version),
                col(ContentVersion.space_id) == scope.space_id,
            ),
        )
        .where(*filters)
        .order_by(col(ContentItem.updated_at).desc(), col(ContentItem.id))
        .limit(limit)
        .offset(offset)
    )
    rows: list[tuple[ContentItem, ContentVersion | None]] = [
        (item, version) for item, version in (await session.execute(query)).all()
    ]
    return rows, int(total)


async def add_version(
    session: AsyncSession,
    scope: TenantScope,
    *,
    item: ContentItem,
    body: str,
    content_hash: str,
    scores: dict[str, Any],
    voice_score: int | None,
    unsupported_claims: int | None,
    user_id: uuid.UUID | None,
    run_id: uuid.UUID | None = None,
    model: str | None = None,
    prompt_version: str | None = None,
    note: str | None = None,
) -> ContentVersion:
    """The item's next version. The caller holds the item's row lock (`get_item(lock=True)`), so two saves
    cannot take the same number; UNIQUE(item_id, number) is the last wall if one forgets."""
    row = ContentVersion(
        item_id=item.id,
        organization_id=scope.organization_id,
        space_id=scope.space_id,
        number=item.current_version + 1,
        body=body,
        content_hash=content_hash,
        scores=scores,
        voice_score=voice_score,
        unsupported_claims=unsupported_claims,
        created_by=user_id,
        run_id=run_id,
        model=model,
        prompt_version=prompt_version,
        note=note,
    )
    session.add(row)
    item.current_version = row.number
    item.updated_at = row.created_at
    await session.flush()
    return row


async def get_version(
    session: AsyncSession, scope: TenantScope, *, item_id: uuid.UUID, number: int
) -> ContentVersion | None:
    query = select(ContentVersion).where(
        col(ContentVersion.space_id) == scope.space_id,
        col(ContentVersion.item_id) == item_id,
        col(ContentVersion.number) == number,
    )
    return (await session.execute(query)).scalar_one_or_none()


async def list_versions(session: AsyncSession, scope: TenantScope, *, item_id: uuid.UUID) -> list[ContentVersion]:
    """The item's versions, oldest first."""
    query = (
        select(ContentVersion)
        .where(col(ContentVersion.space_id) == scope.space_id, col(ContentVersion.item_id) == item_id)
        .order_by(col(ContentVersion.number))
    )
    return list((await session.execute(query)).scalars().all())


async def add_transition(
    session: AsyncSession,
    scope: TenantScope,
    *,
    item: ContentItem,
    action: str,
    to_state: str,
    version: ContentVersion,
    actor_id: uuid.UUID | None,
    actor_label: str | None,
    note: str | None,
    override: bool = False,
) -> ContentTransition:
    """Record the move and apply it to the item (the caller holds the item's row lock)."""
    row = ContentTransition(
        item_id=item.id,
        organization_id=scope.organization_id,
        space_id=scope.space_id,
        action=action,
        from_state=item.state,
        to_state=to_state,
        version=version.number,
        content_hash=version.content_hash,
        actor_id=actor_id,
        actor_label=actor_label,
        note=note,
        override=override,
    )
    session.add(row)
    item.state = to_state
    item.updated_at = row.created_at
    await session.flush()
    return row


async def list_transitions(session: AsyncSession, scope: TenantScope, *, item_id: uuid.UUID) -> list[ContentTransition]:
    """The item's review history, oldest first."""
    query = (
        select(ContentTransition)
        .where(col(ContentTransition.space_id) == scope.space_id, col(ContentTransition.item_id) == item_id)
        .order_by(col(ContentTransition.created_at), col(ContentTransition.id))
    )
    return list((await session.execute(query)).scalars().all())


async def add_comment(
    session: AsyncSession,
    scope: TenantScope,
    *,
    item_id: uuid.UUID,
    body: str,
    version: int | None,
    author_id: uuid.UUID | None,
) -> ContentComment:
    row = ContentComment(
        item_id=item_id,
        organization_id=scope.organization_id,
        space_id=scope.space_id,
        version=version,
        author_id=author_id,
        body=body,
    )
    session.add(row)
    await session.flush()
    return row


async def list_comments(session: AsyncSession, scope: TenantScope, *, item_id: uuid.UUID) -> list[ContentComment]:
    """The item's comments, oldest first."""
    query = (
        select(ContentComment)
        .where(col(ContentComment.space_id) == scope.space_id, col(ContentComment.item_id) == item_id)
        .order_by(col(ContentComment.created_at), col(ContentComment.id))
    )
    return list((await session.execute(query)).scalars().all())


async def get_settings(session: AsyncSession, scope: TenantScope) -> ContentSettings | None:
    query = select(ContentSettings).where(col(ContentSettings.space_id) == scope.space_id)
    return (await session.execute(query)).scalar_one_or_none()


async def set_settings(
    session: AsyncSession, scope: TenantScope, *, require_supported_claims: bool, user_id: uuid.UUID | None
) -> ContentSettings:
    row = await get_settings(session, scope)
    if row is None:
        row = ContentSettings(space_id=scope.space_id, organization_id=scope.organization_id)
        session.add(row)
    row.require_supported_claims = require_supported_claims
    row.updated_by, row.updated_at = user_id, _now()
    await session.flush()
    return row


async def approved_versions(
    session: AsyncSession, scope: TenantScope, *, limit: int, exclude_item: uuid.UUID | None = None
) -> list[tuple[uuid.UUID, str, int, str]]:
    """(item id, title, number, body) of the most recently approved versions (the exact text approved)."""
    query = (
        select(col(ContentItem.id), col(ContentItem.title), col(ContentVersion.number), col(ContentVersion.body))
        .join(ContentTransition, col(ContentTransition.item_id) == col(ContentItem.id))
        .join(
            ContentVersion,
            and_(
                col(ContentVersion.item_id) == col(ContentItem.id),
                col(ContentVersion.number) == col(ContentTransition.version),
            ),
        )
        .where(
            col(ContentItem.space_id) == scope.space_id,
            col(ContentTransition.space_id) == scope.space_id,
            col(ContentVersion.space_id) == scope.space_id,
            col(ContentTransition.action) == "approve",
        )
        .order_by(col(ContentTransition.created_at).desc())
        .limit(limit)
    )
    if exclude_item is not None:
        query = query.where(col(ContentItem.id) != exclude_item)
    return [(i, t, n, b) for i, t, n, b in (await session.execute(query)).all()]


async def review_decisions(
    session: AsyncSession, scope: TenantScope, *, limit: int
) -> list[tuple[str, dict[str, Any]]]:
    """(approve | request_changes, the scores of the version decided on) of the latest review decisions."""
    query = (
        select(col(ContentTransition.action), col(ContentVersion.scores))
        .join(
            ContentVersion,
            and_(
                col(ContentVersion.item_id) == col(ContentTransition.item_id),
                col(ContentVersion.number) == col(ContentTransition.version),
            ),
        )
        .where(
            col(ContentTransition.space_id) == scope.space_id,
            col(ContentVersion.space_id) == scope.space_id,
            col(ContentTransition.action).in_(("approve", "request_changes")),
        )
        .order_by(col(ContentTransition.created_at).desc())
        .limit(limit)
    )
    return [(action, scores) for action, scores in (await session.execute(query)).all()]


async def version_histories(
    session: AsyncSession, scope: TenantScope, *, items: int
) -> list[tuple[uuid.UUID, list[str]]]:
    """The version texts, in order, of the `items` most recently changed items that have more than one."""
    recent = (
        select(col(ContentItem.id))
        .where(col(ContentItem.space_id) == scope.space_id, col(ContentItem.current_version) > 1)
        .order_by(col(ContentItem.updated_at).desc())
        .limit(items)
    )
    ids = list((await session.execute(recent)).scalars().all())
    if not ids:
        return []
    query = (
        select(col(ContentVersion.item_id), col(ContentVersion.body))
        .where(col(ContentVersion.space_id) == scope.space_id, col(ContentVersion.item_id).in_(ids))
        .order_by(col(ContentVersion.item_id), col(ContentVersion.number))
    )
    histories: dict[uuid.UUID, list[str]] = {}
    for item_id, body in (await session.execute(query)).all():
        histories.setdefault(item_id, []).append(body)
    return list(histories.items())


async def run_models(
    session: AsyncSession, scope: TenantScope, *, run_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The model each run's main (answer-writing) calls used, from the space's usage records."""
    wanted = list(run_ids)
    if not wanted:
        return {}
    query = (
        select(col(ModelUsage.run_id), col(ModelUsage.model))
        .where(
            col(ModelUsage.space_id) == scope.space_id,
            col(ModelUsage.run_id).in_(wanted),
            col(ModelUsage.role) == "main",
        )
        .order_by(col(ModelUsage.created_at))
    )
    return {run_id: model for run_id, model in (await session.execute(query)).all() if run_id is not None}


async def emails(session: AsyncSession, *, user_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """The emails of these users (those the session's organization can see)."""
    wanted = {u for u in user_ids if u is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(col(User.id), col(User.email)).where(col(User.id).in_(wanted)))
    return {uid: email for uid, email in rows.all()}


async def linked_items(session: AsyncSession, scope: TenantScope, *, limit: int) -> list[tuple[Any, str, str, Any]]:
    """(id, title, URL, first publication) of the space's published items linked to their address, the most
    recently published first (`ix_content_items_space_published`)."""
    query = (
        select(
            col(ContentItem.id), col(ContentItem.title), col(ContentItem.published_url), col(ContentItem.published_at)
        )
        .where(
            col(ContentItem.space_id) == scope.space_id,
            col(ContentItem.published_url).is_not(None),
            col(ContentItem.published_at).is_not(None),
        )
        .order_by(col(ContentItem.published_at).desc())
        .limit(limit)
    )
    return [(row[0], row[1], str(row[2]), row[3]) for row in (await session.execute(query)).all()]


__all__ = [
    "add_comment",
    "add_item",
    "add_transition",
    "add_version",
    "approved_versions",
    "emails",
    "get_item",
    "get_settings",
    "get_version",
    "linked_items",
    "list_comments",
    "list_items",
    "list_transitions",
    "list_versions",
    "review_decisions",
    "run_in_space",
    "run_models",
    "set_settings",
    "version_histories",
]
