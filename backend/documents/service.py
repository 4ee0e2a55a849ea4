"""The document library: add (upload or URL), list, read, update, re-index, delete, release quarantine.

Every function takes the caller's resolved `SpaceContext` first and runs in that space's transaction
(`database.tenant(scope)`), so row-level security applies on top of the filters written here.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from backend.core.db import Database, get_database
from backend.core.errors import Forbidden, NotFound, ValidationFailed
from backend.documents.detect import detect_file, safe_display_name
from backend.documents.models import IN_FLIGHT, Document, DocumentChunk
from backend.documents.storage import get_storage, storage_key
from backend.tenancy.access import parse_uuid
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)

MAX_TAGS = 20
_TAG = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
SUGGESTED_TAGS = ("brand_guidelines", "seo_guidelines", "approved_content", "competitor_analysis", "product")
NOT_FOUND = "There is no such document in this space."


@dataclass(frozen=True, slots=True)
class AddResult:
    document: Document
    created: bool
    """False when the same bytes (or URL) were already in the space: the existing document is returned."""


def _require_editor(ctx: SpaceContext) -> None:
    if not ctx.can_edit:
        raise Forbidden("Your role in this space is read-only; ask an admin for editor access.", code="editor_required")


def normalise_tags(tags: list[str] | str | None) -> list[str]:
    """Lower-case tags of letters, digits, `_` and `-`; spaces become `_`; duplicates dropped."""
    if tags is None:
        return []
    raw = tags.split(",") if isinstance(tags, str) else tags
    out: list[str] = []
    for tag in raw:
        cleaned = "_".join(str(tag).strip().lower().split())
        if not cleaned:
            continue
        if not _TAG.match(cleaned):
            raise ValidationFailed(
                f"The tag {cleaned[:40]!r} is not valid: use letters, digits, '_' or '-' (at most 64).",
                code="invalid_tag",
            )
        if cleaned not in out:
            out.append(cleaned)
    if len(out) > MAX_TAGS:
        raise ValidationFailed(f"A document can have at most {MAX_TAGS} tags.", code="too_many_tags")
    return out


async def _defer(document: Document) -> None:
    from backend.documents.ingest import defer_ingestion

    await defer_ingestion(document)


async def add_upload(
    ctx: SpaceContext,
    *,
    data: bytes,
    filename: str | None,
    tags: list[str] | str | None = None,
    database: Database | None = None,
) -> AddResult:
    """Check and store an uploaded file, then queue its ingestion. Bad files are refused before anything is
    stored; the same bytes uploaded again return the existing document."""
    _require_editor(ctx)
    tag_list = normalise_tags(tags)
    detected = detect_file(data, filename)
    digest = hashlib.sha256(data).hexdigest()
    display = safe_display_name(filename)
    database = database or get_database()
    async with database.tenant(ctx.scope, user_id=ctx.user_id) as session:
        existing = (
            await session.execute(select(Document).where(Document.space_id == ctx.space_id, Document.sha256 == digest))
        ).scalar_one_or_none()
        if existing is not None:
            return AddResult(existing, created=False)
        document = Document(
            organization_id=ctx.organization_id,
            space_id=ctx.space_id,
            title=_title_from(display),
            filename=display,
            kind=detected.kind.value,
            mime_type=detected.mime_type,
            size_bytes=len(data),
            sha256=digest,
            tags=tag_list,
            pages=detected.page_count,
            uploaded_by=ctx.user_id,
            uploaded_by_email=await _email(session, ctx.user_id),
        )
        document.storage_key = storage_key(ctx.scope, document.id)
        session.add(document)
        try:
            await session.flush()
        except IntegrityError:
            # A concurrent upload of the same bytes won the race: answer with its document.
            await session.rollback()
            return AddResult(await _by_sha(ctx, digest, database), created=False)
        # The file is written inside the transaction: if the write fails the row is rolled back with it.
        await get_storage().put(document.storage_key, data)
    await _defer(document)
    return AddResult(document, created=True)


async def _by_sha(ctx: SpaceContext, digest: str, database: Database) -> Document:
    async with database.tenant(ctx.scope) as session:
        return (
            await session.execute(select(Document).where(Document.space_id == ctx.space_id, Document.sha256 == digest))
        ).scalar_one()


async def _email(session: AsyncSession, user_id: uuid.UUID) -> str | None:
    from backend.tenancy.models import User

    return (await session.execute(select(User.email).where(User.id == user_id))).scalar_one_or_none()


def _title_from(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return " ".join(stem.replace("_", " ").replace("-", " ").split())[:500] or "Untitled document"


def check_url(url: str) -> str:
    """A clear 422 for what is obviously not a web address; the fetcher checks the rest when it runs."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2048:
        raise ValidationFailed("Enter a full web address starting with http:// or https://.", code="invalid_url")
    return url


async def add_url(
    ctx: SpaceContext, *, url: str, tags: list[str] | str | None = None, database: Database | None = None
) -> AddResult:
    """Queue a web page for fetching and ingestion; the same URL again returns the existing document."""
    _require_editor(ctx)
    url, tag_list = check_url(url), normalise_tags(tags)
    # Refused at once (unknown site, private network) rather than as a failed document a minute later.
    from backend.documents.fetch import check_url as check_fetchable

    await check_fetchable(url)
    database = database or get_database()
    async with database.tenant(ctx.scope, user_id=ctx.user_id) as session:
        existing = (
            (
                await session.execute(
                    select(Document).where(Document.space_id == ctx.space_id, Document.source_url == url)
                )
            )
            .scalars()
            .first()
        )
        if existing is not None:
            return AddResult(existing, created=False)
        parts = urlsplit(url)
        document = Document(
            organization_id=ctx.organization_id,
            space_id=ctx.space_id,
            title=(parts.hostname or url) + (parts.path if parts.path not in ("", "/") else ""),
            filename=url[:500],
            kind="html",
            mime_type="text/html",
            source_url=url,
            tags=tag_list,
            uploaded_by=ctx.user_id,
            uploaded_by_email=await _email(session, ctx.user_id),
        )
        document.storage_key = storage_key(ctx.scope, document.id)
        session.add(document)
    await _defer(document)
    return AddResult(document, created=True)


async def list_documents(
    ctx: SpaceContext,
    *,
    query: str | None = None,
    tag: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
    database: Database | None = None,
) -> tuple[list[Document], int]:
    """The space's documents, newest first, filtered by name/title, tag and status; and the total count."""
    database = database or get_database()
    conditions: list[Any] = [Document.space_id == ctx.space_id]
    if query and query.strip():
        pattern = "%" + query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(col(Document.title).ilike(pattern), col(Document.filename).ilike(pattern)))
    if tag and tag.strip():
        conditions.append(col(Document.tags).contains([tag.strip().lower()]))
    if status == "processing":
        conditions.append(col(Document.status).in_(IN_FLIGHT))
    elif status:
        conditions.append(Document.status == status)
    async with database.tenant(ctx.scope) as session:
        total = (await session.execute(select(func.count()).select_from(Document).where(*conditions))).scalar_one()
        rows = (
            (
                await session.execute(
                    select(Document)
                    .where(*conditions)
                    .order_by(col(Document.created_at).desc())
                    .limit(limit)
                    .offset(offset)
                )
            )
            .scalars()
            .all()
        )
    return list(rows), int(total)


async def _get(session: AsyncSession, ctx: SpaceContext, document_id: Any, *, lock: bool = False) -> Document:
    did = parse_uuid(document_id)
    document = None
    if did is not None:
        statement = select(Document).where(Document.id == did, Document.space_id == ctx.space_id)
        if lock:
            statement = statement.with_for_update()
        document = (await session.execute(statement)).scalar_one_or_none()
    if document is None:
        raise NotFound(NOT_FOUND, code="document_not_found")
    return document


async def get_document(ctx: SpaceContext, document_id: Any, *, database: Database | None = None) -> Document:
    async with (database or get_database()).tenant(ctx.scope) as session:
        return await _get(session, ctx, document_id)


async def list_chunks(
    ctx: SpaceContext, document_id: Any, *, limit: int = 100, offset: int = 0, database: Database | None = None
) -> tuple[list[DocumentChunk], int]:
    async with (database or get_database()).tenant(ctx.scope) as session:
        document = await _get(session, ctx, document_id)
        where = (DocumentChunk.document_id == document.id, DocumentChunk.space_id == ctx.space_id)
        total = (await session.execute(select(func.count()).select_from(DocumentChunk).where(*where))).scalar_one()
        rows = (
            (
                await session.execute(
                    select(DocumentChunk)
                    .where(*where)
                    .order_by(col(DocumentChunk.chunk_index))
                    .limit(limit)
                    .offset(offset)
                )
            )
            .scalars()
            .all()
        )
    return list(rows), int(total)


async def read_file(ctx: SpaceContext, document_id: Any, *, database: Database | None = None) -> tuple[bytes, Document]:
    """The original bytes (for download) and the document they belong to."""
    document = await get_document(ctx, document_id, database=database)
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
    database: Database | None = None,
) -> Document:
    _require_editor(ctx)
    async with (database or get_database()).tenant(ctx.scope) as session:
        document = await _get(session, ctx, document_id, lock=True)
        if title is not None:
            cleaned = " ".join(title.split())
            if not cleaned or len(cleaned) > 500:
                raise ValidationFailed("A title needs 1 to 500 characters.", code="invalid_title")
            document.title = cleaned
        if tags is not None:
            document.tags = normalise_tags(tags)
        if clear_valid_until:
            document.valid_until = None
        elif valid_until is not None:
            document.valid_until = valid_until
        document.updated_at = datetime.now(UTC)
        await session.flush()
        return document


async def reindex(ctx: SpaceContext, document_id: Any, *, database: Database | None = None) -> Document:
    """Convert, chunk and embed the document again (after a failure, or with a new embedding model)."""
    _require_editor(ctx)
    async with (database or get_database()).tenant(ctx.scope) as session:
        document = await _get(session, ctx, document_id, lock=True)
        if document.status in IN_FLIGHT and document.progress > 0:
            raise ValidationFailed("This document is being processed right now.", code="already_processing")
        document.status, document.progress, document.error = "queued", 0, None
        document.updated_at = datetime.now(UTC)
    await _defer(document)
    return document


async def delete_document(ctx: SpaceContext, document_id: Any, *, database: Database | None = None) -> None:
    """Delete the document, its chunks (cascade) and its stored file."""
    _require_editor(ctx)
    async with (database or get_database()).tenant(ctx.scope) as session:
        document = await _get(session, ctx, document_id, lock=True)
        key = document.storage_key
        await session.delete(document)
    if key:
        try:
            await get_storage().delete(key)
        except OSError:
            logger.warning("stored file could not be deleted", extra={"document_id": str(document.id)})


async def release_chunk(
    ctx: SpaceContext, document_id: Any, chunk_id: Any, *, database: Database | None = None
) -> DocumentChunk:
    """A space admin judged a quarantined chunk safe: it becomes retrievable."""
    if not ctx.is_admin:
        raise Forbidden("Only space admins can release quarantined content.", code="space_admin_required")
    cid = parse_uuid(chunk_id)
    async with (database or get_database()).tenant(ctx.scope) as session:
        document = await _get(session, ctx, document_id, lock=True)
        chunk = None
        if cid is not None:
            chunk = (
                await session.execute(
                    select(DocumentChunk).where(
                        DocumentChunk.id == cid,
                        DocumentChunk.document_id == document.id,
                        DocumentChunk.space_id == ctx.space_id,
                    )
                )
            ).scalar_one_or_none()
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
    """The API/UI shape of a document (API.md fields plus a few the library shows)."""
    out: dict[str, Any] = {
        "id": str(document.id),
        "title": document.title,
        "filename": document.filename,
        "kind": document.kind,
        "status": document.status,
        "progress": document.progress,
        "size_bytes": document.size_bytes,
        "pages": document.pages,
        "chunk_count": document.chunk_count,
        "quarantined_count": document.quarantined_count,
        "tags": list(document.tags),
        "error": document.error,
        "source_url": document.source_url,
        "valid_until": document.valid_until.isoformat() if document.valid_until else None,
        "stale": bool(document.valid_until and document.valid_until < datetime.now(UTC).date()),
        "uploaded_by": document.uploaded_by_email,
        "created_at": document.created_at.isoformat(),
        "updated_at": document.updated_at.isoformat(),
    }
    if with_structure:
        out["structure"] = document.structure
    return out


def public_chunk(chunk: DocumentChunk) -> dict[str, Any]:
    return {
        "id": str(chunk.id),
        "index": chunk.chunk_index,
        "content": chunk.content,
        "heading_path": list(chunk.heading_path),
        "page": chunk.page,
        "kind": chunk.kind,
        "token_count": chunk.token_count,
        "quarantined": chunk.quarantined,
        "quarantine_reason": chunk.quarantine_reason,
        "metadata": chunk.meta,
    }


async def mark(session: AsyncSession, document_id: uuid.UUID, **values: Any) -> None:
    """Update a document's processing fields (used by the ingestion job)."""
    values.setdefault("updated_at", datetime.now(UTC))
    await session.execute(update(Document).where(col(Document.id) == document_id).values(**values))


async def delete_chunks(session: AsyncSession, document_id: uuid.UUID) -> None:
    await session.execute(delete(DocumentChunk).where(col(DocumentChunk.document_id) == document_id))


__all__ = [
    "SUGGESTED_TAGS",
    "AddResult",
    "add_upload",
    "add_url",
    "delete_document",
    "get_document",
    "list_chunks",
    "list_documents",
    "normalise_tags",
    "public_chunk",
    "public_document",
    "read_file",
    "reindex",
    "release_chunk",
    "update_document",
]
