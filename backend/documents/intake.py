"""Adding documents to the library: an uploaded file or a web page, checked, deduplicated and queued.

Bad files are refused before anything is stored; the same bytes (or the same URL) added again answer with
the document already in the space. The stored file is written inside the row's transaction, so a failed
write leaves no row behind. Part of the library's service (`service` re-exports these): policy here, SQL in
`repository`.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError

from backend.core.db import get_database
from backend.documents import ingest, repository
from backend.documents.detect import DetectedFile, detect_file, safe_display_name, title_from_filename
from backend.documents.fetch import check_fetchable
from backend.documents.models import Document
from backend.documents.rules import normalize_tags, require_editor, validate_url
from backend.documents.storage import get_storage, storage_key
from backend.tenancy.context import SpaceContext


@dataclass(frozen=True, slots=True)
class AddResult:
    document: Document
    created: bool
    """False when the same bytes (or URL) were already in the space: the existing document is returned."""


def _inspect(data: bytes, filename: str | None) -> tuple[DetectedFile, str]:
    return detect_file(data, filename), hashlib.sha256(data).hexdigest()


async def add_upload(
    ctx: SpaceContext, *, data: bytes, filename: str | None, tags: list[str] | str | None = None
) -> AddResult:
    """Check and store an uploaded file, then queue its ingestion. Bad files are refused before anything is
    stored; the same bytes uploaded again return the existing document."""
    require_editor(ctx)
    tag_list = normalize_tags(tags)
    # Detection (magic bytes, zip and PDF checks, text sniffing) and hashing are CPU work on up to
    # MAX_UPLOAD_MB: off the event loop, so one upload does not freeze every user of the process.
    detected, digest = await asyncio.to_thread(_inspect, data, filename)
    display = safe_display_name(filename)
    database = get_database()
    async with database.tenant(ctx.scope, user_id=ctx.user_id) as session:
        existing = await repository.find_by_sha256(session, ctx.scope, sha256=digest)
        if existing is not None:
            return AddResult(existing, created=False)
        document = Document(
            organization_id=ctx.organization_id,
            space_id=ctx.space_id,
            title=title_from_filename(display),
            filename=display,
            kind=detected.kind.value,
            mime_type=detected.mime_type,
            size_bytes=len(data),
            sha256=digest,
            tags=tag_list,
            pages=detected.page_count,
            uploaded_by=ctx.user_id,
            uploaded_by_email=await repository.email_of(session, ctx.scope, user_id=ctx.user_id),
        )
        document.storage_key = storage_key(ctx.scope, document.id)
        session.add(document)
        try:
            await session.flush()
        except IntegrityError:
            # A concurrent upload of the same bytes won the race: answer with its document.
            await session.rollback()
            return AddResult(await _winner_of_race(ctx, digest), created=False)
        # The file is written inside the transaction: if the write fails the row is rolled back with it.
        await get_storage().put(document.storage_key, data)
    await ingest.defer_ingestion(document)
    return AddResult(document, created=True)


async def _winner_of_race(ctx: SpaceContext, digest: str) -> Document:
    async with get_database().tenant(ctx.scope) as session:
        document = await repository.find_by_sha256(session, ctx.scope, sha256=digest)
    assert document is not None, "the upload that won the race is committed"
    return document


async def add_url(ctx: SpaceContext, *, url: str, tags: list[str] | str | None = None) -> AddResult:
    """Queue a web page for fetching and ingestion; the same URL again returns the existing document."""
    require_editor(ctx)
    url, tag_list = validate_url(url), normalize_tags(tags)
    # Refused at once (unknown site, private network) rather than as a failed document a minute later.
    await check_fetchable(url)
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        existing = await repository.find_by_url(session, ctx.scope, url=url)
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
            uploaded_by_email=await repository.email_of(session, ctx.scope, user_id=ctx.user_id),
        )
        document.storage_key = storage_key(ctx.scope, document.id)
        session.add(document)
    await ingest.defer_ingestion(document)
    return AddResult(document, created=True)


__all__ = ["AddResult", "add_upload", "add_url"]
