"""The document library: add (upload or URL, in `intake`), list, read, update, re-index, delete, release
quarantine.

Every function takes the caller's resolved `SpaceContext` first, decides what the caller may do, and runs the
SQL of `repository.py` in that space's transaction (`database.tenant(scope)`), so row-level security applies
on top of the filters written there. The API shapes are in `schemas.py`.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.db import get_database
from backend.core.errors import Forbidden, NotFound, ValidationFailed
from backend.documents import ingest, repository
from backend.documents.intake import AddResult, add_upload, add_url
from backend.documents.models import IN_FLIGHT, Document, DocumentChunk
from backend.documents.rules import SUGGESTED_TAGS, normalize_tags, require_editor, validate_url
from backend.documents.schemas import ChunkPublic, DocumentDetail, DocumentPublic
from backend.documents.storage import get_storage
from backend.tenancy.access import parse_uuid
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)

NOT_FOUND = "There is no such document in this space."


async def list_documents(
    ctx: SpaceContext,
    *,
    query: str | None = None,
    tag: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Document], int]:
    """The space's documents, newest first, filtered by name/title, tag and status; and the total count."""
    async with get_database().tenant(ctx.scope) as session:
        return await repository.list_documents(
            session, ctx.scope, query=query, tag=tag, status=status, limit=limit, offset=offset
        )


async def ready_source_urls(ctx: SpaceContext, *, limit: int) -> list[str]:
    """The source URLs of the space's newest `limit` ready documents (a run's tools may fetch those pages)."""
    async with get_database().tenant(ctx.scope) as session:
        return await repository.recent_source_urls(session, ctx.scope, status="ready", limit=limit)


async def ready_document_ids(ctx: SpaceContext, document_ids: list[Any]) -> set[uuid.UUID]:
    """Which of the ids are ready documents of the caller's space (the brand voice's guideline documents must
    be; the tenancy layer gets this function as its `DocumentCheck`)."""
    ids = [did for raw in document_ids if (did := parse_uuid(raw)) is not None]
    async with get_database().tenant(ctx.scope) as session:
        return set(await repository.ready_ids(session, ctx.scope, document_ids=ids))


async def _get(session: AsyncSession, ctx: SpaceContext, document_id: Any, *, lock: bool = False) -> Document:
    did = parse_uuid(document_id)
    document = None
    if did is not None:
        document = await repository.get_document(session, ctx.scope, document_id=did, lock=lock)
    if document is None:
        raise NotFound(NOT_FOUND, code="document_not_found")
    return document


async def get_document(ctx: SpaceContext, document_id: Any) -> Document:
    async with get_database().tenant(ctx.scope) as session:
        return await _get(session, ctx, document_id)


async def list_chunks(
    ctx: SpaceContext, document_id: Any, *, limit: int = 100, offset: int = 0
) -> tuple[list[DocumentChunk], int]:
    async with get_database().tenant(ctx.scope) as session:
        document = await _get(session, ctx, document_id)
        return await repository.list_chunks(session, ctx.scope, document_id=document.id, limit=limit, offset=offset)


async def read_file(ctx: SpaceContext, document_id: Any) -> tuple[bytes, Document]:
    """The original bytes (for download) and the document they belong to."""
    document = await get_document(ctx, document_id)
    if not document.storage_key or not document.size_bytes:
        raise NotFound("This document has no stored file yet.", code="file_not_found")
    try:
        return await get_storage().get(document.storage_key), document
    except FileNotFoundError as exc:
        raise NotFound("The stored file is missing.", code="file_not_found") from exc


async def update_document(
    ctx: SpaceContext,
    document_id: Any,
    *,
    title: str | None = None,
    tags: list[str] | str | None = None,
    valid_until: date | None = None,
    clear_valid_until: bool = False,
) -> Document:
    require_editor(ctx)
    async with get_database().tenant(ctx.scope) as session:
        document = await _get(session, ctx, document_id, lock=True)
        if title is not None:
            cleaned = " ".join(title.split())
            if not cleaned or len(cleaned) > 500:
                raise ValidationFailed("A title needs 1 to 500 characters.", code="invalid_title")
            document.title = cleaned
        if tags is not None:
            document.tags = normalize_tags(tags)
        if clear_valid_until:
            document.valid_until = None
        elif valid_until is not None:
            document.valid_until = valid_until
        document.updated_at = datetime.now(UTC)
        await session.flush()
        return document


async def reindex(ctx: SpaceContext, document_id: Any) -> Document:
    """Convert, chunk and embed the document again (after a failure, or with a new embedding model)."""
    require_editor(ctx)
    async with get_database().tenant(ctx.scope) as session:
        document = await _get(session, ctx, document_id, lock=True)
        if document.status in IN_FLIGHT and document.progress > 0:
            raise ValidationFailed("This document is being processed right now.", code="already_processing")
        document.status, document.progress, document.error = "queued", 0, None
        document.updated_at = datetime.now(UTC)
    await ingest.defer_ingestion(document)
    return document


async def delete_document(ctx: SpaceContext, document_id: Any) -> None:
    """Delete the document, its chunks (cascade) and its stored file."""
    require_editor(ctx)
    async with get_database().tenant(ctx.scope) as session:
        document = await _get(session, ctx, document_id, lock=True)
        key = document.storage_key
        await session.delete(document)
    if key:
        try:
            await get_storage().delete(key)
        except OSError:
            logger.warning("stored file could not be deleted", extra={"document_id": str(document.id)})


async def release_chunk(ctx: SpaceContext, document_id: Any, chunk_id: Any) -> DocumentChunk:
    """A space admin judged a quarantined chunk safe: it becomes retrievable."""
    if not ctx.is_admin:
        raise Forbidden("Only space admins can release quarantined content.", code="space_admin_required")
    cid = parse_uuid(chunk_id)
    async with get_database().tenant(ctx.scope) as session:
        document = await _get(session, ctx, document_id, lock=True)
        chunk = None
        if cid is not None:
            chunk = await repository.get_chunk(session, ctx.scope, document_id=document.id, chunk_id=cid)
        if chunk is None:
            raise NotFound("There is no such chunk in this document.", code="chunk_not_found")
        if chunk.quarantined:
            chunk.quarantined, chunk.released_by = False, ctx.user_id
            chunk.meta = {
                **chunk.meta,
                "released_reason": chunk.quarantine_reason,
                "released_at": datetime.now(UTC).isoformat(),
            }
            document.quarantined_count = max(0, document.quarantined_count - 1)
        await session.flush()
        return chunk


def public_document(document: Document, *, with_structure: bool = False) -> dict[str, Any]:
    """JSON of `DocumentPublic` (or `DocumentDetail`): kept only for obelisk_app's pages, which render dicts
    today; new code validates the schema (`DocumentPublic.model_validate(document)`)."""
    schema = DocumentDetail if with_structure else DocumentPublic
    return schema.model_validate(document).model_dump(mode="json")


def public_chunk(chunk: DocumentChunk) -> dict[str, Any]:
    """JSON of `ChunkPublic`: kept only for obelisk_app's document page (see `public_document`)."""
    return ChunkPublic.model_validate(chunk).model_dump(mode="json")


__all__ = [
    "SUGGESTED_TAGS",
    "AddResult",
    "add_upload",
    "add_url",
    "delete_document",
    "get_document",
    "list_chunks",
    "list_documents",
    "normalize_tags",
    "public_chunk",
    "public_document",
    "read_file",
    "ready_document_ids",
    "ready_source_urls",
    "reindex",
    "release_chunk",
    "update_document",
    "validate_url",
]
