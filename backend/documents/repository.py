"""SQL for documents and chunks. Keyword-only functions, `session, scope` first; every query filters by the
scope's space (row-level security is the second wall, not the only one). No policy here: who may do what is
decided in `service.py`; the ingestion job writes through `mark`, `delete_chunks` and `add_chunks`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from backend.core.db import TenantScope
from backend.documents.models import IN_FLIGHT, Document, DocumentChunk
from backend.tenancy.models import User


async def get_document(
    session: AsyncSession, scope: TenantScope, *, document_id: uuid.UUID, lock: bool = False
) -> Document | None:
    statement = select(Document).where(Document.id == document_id, Document.space_id == scope.space_id)
    if lock:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def ready_ids(session: AsyncSession, scope: TenantScope, *, document_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `document_ids` are ready documents of the space."""
    if not document_ids:
        return set()
    statement = select(Document.id).where(
        col(Document.id).in_(document_ids), Document.space_id == scope.space_id, Document.status == "ready"
    )
    return set((await session.execute(statement)).scalars().all())


async def find_by_sha256(session: AsyncSession, scope: TenantScope, *, sha256: str) -> Document | None:
    statement = select(Document).where(Document.space_id == scope.space_id, Document.sha256 == sha256)
    return (await session.execute(statement)).scalar_one_or_none()


async def find_by_url(session: AsyncSession, scope: TenantScope, *, url: str) -> Document | None:
    statement = select(Document).where(Document.space_id == scope.space_id, Document.source_url == url)
    return (await session.execute(statement)).scalars().first()


async def email_of(session: AsyncSession, scope: TenantScope, *, user_id: uuid.UUID) -> str | None:
    """The email of a member of the scope's organization (recorded on the documents they add)."""
    statement = select(User.email).where(User.id == user_id, col(User.organization_id) == scope.organization_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def list_documents(
    session: AsyncSession,
    scope: TenantScope,
    *,
    query: str | None,
    tag: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Document], int]:
    """The space's documents, newest first, filtered by name/title, tag and status; and the total count."""
    conditions: list[Any] = [Document.space_id == scope.space_id]
    if query and query.strip():
        pattern = "%" + query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(col(Document.title).ilike(pattern), col(Document.filename).ilike(pattern)))
    if tag and tag.strip():
        conditions.append(col(Document.tags).contains([tag.strip().lower()]))
    if status == "processing":
        conditions.append(col(Document.status).in_(IN_FLIGHT))
    elif status:
        conditions.append(Document.status == status)
    total = (await session.execute(select(func.count()).select_from(Document).where(*conditions))).scalar_one()
    statement = (
        select(Document).where(*conditions).order_by(col(Document.created_at).desc()).limit(limit).offset(offset)
    )
    return list((await session.execute(statement)).scalars().all()), int(total)


async def recent_source_urls(session: AsyncSession, scope: TenantScope, *, status: str, limit: int) -> list[str]:
    """The source URLs of the space's newest `limit` documents in `status` (those that have one), newest first:
    the URLs `list_documents` would show, without counting the space's documents or loading them whole."""
    statement = (
        select(Document.source_url)
        .where(Document.space_id == scope.space_id, Document.status == status)
        .order_by(col(Document.created_at).desc())
        .limit(limit)
    )
    return [url for url in (await session.execute(statement)).scalars() if url]


async def list_chunks(
    session: AsyncSession, scope: TenantScope, *, document_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[DocumentChunk], int]:
    """A document's chunks in reading order, and how many there are."""
    where = (DocumentChunk.document_id == document_id, DocumentChunk.space_id == scope.space_id)
    total = (await session.execute(select(func.count()).select_from(DocumentChunk).where(*where))).scalar_one()
    statement = select(DocumentChunk).where(*where).order_by(col(DocumentChunk.chunk_index)).limit(limit).offset(offset)
    return list((await session.execute(statement)).scalars().all()), int(total)


async def get_chunk(
    session: AsyncSession, scope: TenantScope, *, document_id: uuid.UUID, chunk_id: uuid.UUID
) -> DocumentChunk | None:
    statement = select(DocumentChunk).where(
        DocumentChunk.id == chunk_id,
        DocumentChunk.document_id == document_id,
        DocumentChunk.space_id == scope.space_id,
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def mark(session: AsyncSession, scope: TenantScope, *, document_id: uuid.UUID, **values: Any) -> None:
    """Update a document's processing fields (the ingestion job's progress, status, structure...)."""
    values.setdefault("updated_at", datetime.now(UTC))
    await session.execute(
        update(Document)
        .where(col(Document.id) == document_id, col(Document.space_id) == scope.space_id)
        .values(**values)
    )


async def start_attempt(
    session: AsyncSession, scope: TenantScope, *, document_id: uuid.UUID, **values: Any
) -> Document | None:
    """Set the processing fields of a document about to be ingested and count the attempt, in one statement;
    the updated document, or None when it no longer exists (deleted while its job waited)."""
    values.setdefault("updated_at", datetime.now(UTC))
    statement = (
        update(Document)
        .where(col(Document.id) == document_id, col(Document.space_id) == scope.space_id)
        .values(attempts=col(Document.attempts) + 1, **values)
        .returning(Document)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def delete_chunks(session: AsyncSession, scope: TenantScope, *, document_id: uuid.UUID) -> None:
    await session.execute(
        delete(DocumentChunk).where(
            col(DocumentChunk.document_id) == document_id, col(DocumentChunk.space_id) == scope.space_id
        )
    )


async def add_chunks(
    session: AsyncSession, scope: TenantScope, *, document_id: uuid.UUID, rows: Sequence[dict[str, Any]]
) -> None:
    """Insert a document's chunks in one statement; the scope and document are set here, not by the caller."""
    if rows:
        await session.execute(
            insert(DocumentChunk),
            [
                {
                    **row,
                    "id": uuid.uuid4(),
                    "organization_id": scope.organization_id,
                    "space_id": scope.space_id,
                    "document_id": document_id,
                }
                for row in rows
            ],
        )


async def stale_chunks(
    session: AsyncSession, scope: TenantScope, *, version: str, after: uuid.UUID | None, limit: int
) -> list[tuple[DocumentChunk, str]]:
    """Chunks whose verdict came from another detector version than `version` (oldest id first, after
    `after`), each with its document's title."""
    statement = (
        select(DocumentChunk, Document.title)
        .join(Document, col(Document.id) == col(DocumentChunk.document_id))
        .where(
            col(DocumentChunk.space_id) == scope.space_id,
            col(Document.space_id) == scope.space_id,
            or_(col(DocumentChunk.scan_version).is_(None), col(DocumentChunk.scan_version) != version),
        )
        .order_by(col(DocumentChunk.id))
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(col(DocumentChunk.id) > after)
    return [(chunk, str(title)) for chunk, title in (await session.execute(statement)).all()]


async def set_chunk_verdict(
    session: AsyncSession, scope: TenantScope, *, chunk_id: uuid.UUID, values: dict[str, Any]
) -> None:
    await session.execute(
        update(DocumentChunk)
        .where(col(DocumentChunk.id) == chunk_id, col(DocumentChunk.space_id) == scope.space_id)
        .values(**values)
    )


async def recount_quarantined(session: AsyncSession, scope: TenantScope, *, document_ids: Sequence[uuid.UUID]) -> None:
    """Set each document's `quarantined_count` from its chunks."""
    for document_id in document_ids:
        count = (
            select(func.count())
            .select_from(DocumentChunk)
            .where(
                col(DocumentChunk.document_id) == document_id,
                col(DocumentChunk.space_id) == scope.space_id,
                col(DocumentChunk.quarantined).is_(True),
            )
            .scalar_subquery()
        )
        await mark(session, scope, document_id=document_id, quarantined_count=count)


__all__ = [
    "add_chunks",
    "delete_chunks",
    "email_of",
    "find_by_sha256",
    "find_by_url",
    "get_chunk",
    "get_document",
    "list_chunks",
    "list_documents",
    "mark",
    "ready_ids",
    "recent_source_urls",
    "recount_quarantined",
    "set_chunk_verdict",
    "stale_chunks",
    "start_attempt",
]
