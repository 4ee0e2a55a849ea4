"""The ingestion job: stored file (or fetched page) → Docling → chunks → contamination scan → embeddings.

One durable job per document (procrastinate, locked per document so two never run at once). The job is
idempotent: chunks are written in one final transaction that first deletes whatever an earlier, crashed
attempt left, so a retry never duplicates chunks. Progress is committed as it goes so the library can show
it. A problem with the document itself (corrupt, encrypted, too large, a page that will not load) ends as
`failed` with a sentence a person understands and no retry; an unexpected error is retried and only the
last attempt marks the document failed.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import procrastinate
from procrastinate import JobContext
from procrastinate.exceptions import AlreadyEnqueued

from backend.core.config import get_settings
from backend.core.db import TenantScope, get_database
from backend.core.errors import AppError
from backend.core.logging import correlation_id_var, log_context
from backend.documents import repository
from backend.documents.chunking import Chunk, chunk_document
from backend.documents.conversion.isolated import convert_file
from backend.documents.convert import convert_html
from backend.documents.detect import DocumentKind, detect_file, title_from_filename
from backend.documents.fetch import fetch_url
from backend.documents.models import Document, embedding_dimension
from backend.documents.scanning import scan_chunk, verdict_columns
from backend.documents.storage import get_storage
from backend.jobs import job_app
from backend.jobs.queue import fair_priority
from backend.models.accounting import DatabaseUsageStore, book_usage, counted
from backend.models.batching import batcher_for
from backend.models.embeddings import Embedder, MultimodalEmbedder
from backend.models.registry import get_embedder, get_multimodal_embedder
from backend.safety.contamination import ContaminationResult

logger = logging.getLogger(__name__)

EMBED_BATCH = 32
"""Chunks of one document per embedding request (the batcher may add other documents' chunks to the call)."""
PROGRESS_EVERY = 1.0
"""Seconds between two progress writes of one document."""
IMAGE_BATCH = 8
"""Pictures embedded per round (each up to 1024 px as PNG: a round holds a few MB, not a document's worth)."""
MAX_ATTEMPTS = 3
UNEXPECTED = (
    "Something went wrong while processing this document. Try re-indexing it; if it fails again, contact support."
)
INGEST_TASK = "documents.ingest"


class Queueable(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def organization_id(self) -> uuid.UUID: ...
    @property
    def space_id(self) -> uuid.UUID: ...


async def defer_ingestion(document: Queueable) -> None:
    """Queue the document's ingestion (a document already waiting in the queue is not queued twice).

    Its priority shares the workers between spaces (`fair_priority`): one space's bulk import does not
    hold back another space's upload.
    """
    priority = await fair_priority(INGEST_TASK, str(document.space_id))
    try:
        await ingest_document.configure(
            lock=f"document:{document.id}", queueing_lock=f"document:{document.id}", priority=priority
        ).defer_async(
            document_id=str(document.id),
            organization_id=str(document.organization_id),
            space_id=str(document.space_id),
            correlation_id=correlation_id_var.get(),
        )
    except AlreadyEnqueued:
        logger.info("ingestion already queued", extra={"document_id": str(document.id)})


@job_app.task(
    name=INGEST_TASK,
    pass_context=True,
    retry=procrastinate.RetryStrategy(max_attempts=MAX_ATTEMPTS - 1, wait=5),
)
async def ingest_document(
    context: JobContext, *, document_id: str, organization_id: str, space_id: str, correlation_id: str | None = None
) -> None:
    scope = TenantScope(uuid.UUID(organization_id), uuid.UUID(space_id))
    attempt = (context.job.attempts or 0) + 1
    await run_ingestion(scope, uuid.UUID(document_id), final_attempt=attempt >= MAX_ATTEMPTS)


async def run_ingestion(
    scope: TenantScope,
    document_id: uuid.UUID,
    *,
    final_attempt: bool = True,
    embedder: Embedder | None = None,
    multimodal: MultimodalEmbedder | None = None,
) -> None:
    """Ingest one document of `scope` end to end (the job's body; tests call it directly).

    `multimodal` (by default Vertex AI's, when it is the embedding provider) also embeds the pictures.
    """
    with log_context(space_id=scope.space_id):
        try:
            visual = multimodal if multimodal is not None else get_multimodal_embedder()
            await _ingest(scope, document_id, embedder or get_embedder(), visual)
        except AppError as exc:
            await _fail(scope, document_id, exc.message)
        except Exception:
            logger.exception("ingestion failed", extra={"document_id": str(document_id)})
            if final_attempt:
                await _fail(scope, document_id, UNEXPECTED)
                return
            await _set(scope, document_id, status="queued", progress=0)
            raise


async def _set(scope: TenantScope, document_id: uuid.UUID, **values: Any) -> None:
    async with get_database().tenant(scope) as session:
        await repository.mark(session, scope, document_id=document_id, **values)


async def _fail(scope: TenantScope, document_id: uuid.UUID, message: str) -> None:
    await _set(scope, document_id, status="failed", error=message)


class _Progress:
    """Progress writes for the library, at most one per `PROGRESS_EVERY` seconds.

    A small document is done in a fraction of a second: it gets the first write (`converting`) and the final
    one (`ready`) and nothing between, which would cost a transaction each and show nobody anything. A long
    one still moves through `chunking` and `embedding` with its percentage.
    """

    def __init__(self, scope: TenantScope, document_id: uuid.UUID) -> None:
        self.scope, self.document_id = scope, document_id
        self.status = "converting"
        self.last = time.monotonic()

    async def report(self, *, status: str | None = None, **values: Any) -> None:
        # The stage is remembered even when its write is skipped, so a later write never shows a percentage
        # of one stage under the name of an earlier one.
        self.status = status or self.status
        if time.monotonic() - self.last < PROGRESS_EVERY:
            return
        await _set(self.scope, self.document_id, status=self.status, **values)
        self.last = time.monotonic()


async def _ingest(
    scope: TenantScope, document_id: uuid.UUID, embedder: Embedder, multimodal: MultimodalEmbedder | None
) -> None:
    database = get_database()
    async with database.tenant(scope) as session:
        # One statement: the job's first write is also its read of the document.
        document = await repository.start_attempt(
            session, scope, document_id=document_id, status="converting", progress=5, error=None
        )
        if document is None:
            return  # deleted while it waited in the queue
    if embedder.dimension != embedding_dimension():
        raise AppError(
            f"The embedding model ({embedder.model_id}, {embedder.dimension}-d) does not match the stored vectors "
            f"({embedding_dimension()}-d). An operator must re-index with `python -m backend reindex`.",
            code="embedding_model_changed",
        )
    progress = _Progress(scope, document_id)
    data, url = await _source(document)
    if url is not None:
        async with database.tenant(scope) as session:
            await repository.mark(session, scope, document_id=document_id, size_bytes=len(data), progress=15)
    converted = await _convert(document, data, url)
    described: dict[str, Any] = {"structure": converted.structure(), "pages": converted.pages}
    if converted.title and (document.title == title_from_filename(document.filename) or url is not None):
        described["title"] = converted.title[:500]
    await progress.report(status="chunking", progress=35, **described)
    # Headings and the title reach the model too (search returns them with the chunk), so they are scanned.
    chunks, verdicts = await asyncio.to_thread(
        _chunk_and_scan, converted, embedder, converted.title or document.title, multimodal is not None
    )
    await progress.report(status="embedding", progress=45)
    # Usage is counted here and booked in the final transaction (one row per document, no transaction of its
    # own); a document that fails after embedding still books what it used.
    async with counted(scope) as meter:
        booked = False
        try:
            vectors = await _embed(embedder, chunks, progress)
            image_vectors = await _embed_images(multimodal, chunks) if multimodal is not None else {}
            async with database.tenant(scope) as session:
                # Whatever a crashed earlier attempt wrote goes first: a retry never leaves duplicate chunks.
                await repository.delete_chunks(session, scope, document_id=document_id)
                await repository.add_chunks(
                    session,
                    scope,
                    document_id=document_id,
                    rows=[
                        {
                            "chunk_index": chunk.index,
                            "content": chunk.content,
                            "heading_path": list(chunk.heading_path),
                            "page": chunk.page,
                            "kind": chunk.kind,
                            "content_hash": chunk.content_hash,
                            "token_count": chunk.token_count,
                            "meta": chunk.metadata,
                            "embedding": vector,
                            "embedding_model": embedder.model_id,
                            "image_embedding": image_vectors.get(chunk.index),
                            **verdict_columns(verdict),
                        }
                        for chunk, vector, verdict in zip(chunks, vectors, verdicts, strict=True)
                    ],
                )
                await repository.mark(
                    session,
                    scope,
                    document_id=document_id,
                    **described,
                    status="ready",
                    progress=100,
                    chunk_count=len(chunks),
                    quarantined_count=sum(v.contaminated for v in verdicts),
                    embedding_model=embedder.model_id,
                    ready_at=datetime.now(UTC),
                    error=None,
                )
                await book_usage(session, scope, None, meter.events)
            booked = True  # committed with the chunks
        finally:
            if not booked and meter.events:
                await DatabaseUsageStore().record(scope, None, meter.events)
    logger.info("document ready", extra={"document_id": str(document_id), "chunks": len(chunks)})


def _chunk_and_scan(
    converted: Any, embedder: Embedder, title: str | None, uncaptioned_images: bool
) -> tuple[list[Chunk], list[ContaminationResult]]:
    """Chunks of the converted document and each one's injection verdict (CPU work: run in a thread)."""
    chunks = chunk_document(
        converted,
        max_tokens=embedder.max_input_tokens,
        count_tokens=embedder.count_tokens,
        uncaptioned_images=uncaptioned_images,
    )
    return chunks, [scan_chunk(chunk.content, chunk.heading_path, title) for chunk in chunks]


async def _source(document: Document) -> tuple[bytes, str | None]:
    """The bytes to convert: the stored upload, or the page fetched now (and stored for download)."""
    if document.source_url:
        page = await fetch_url(document.source_url)
        if document.storage_key:
            await get_storage().put(document.storage_key, page.data)
        return page.data, page.final_url or document.source_url
    if not document.storage_key:
        raise AppError("The uploaded file of this document is missing; upload it again.", code="file_missing")
    try:
        return await get_storage().get(document.storage_key), None
    except FileNotFoundError as exc:
        raise AppError("The uploaded file of this document is missing; upload it again.", code="file_missing") from exc


async def _convert(document: Document, data: bytes, url: str | None) -> Any:
    name = document.filename if url is None else (urlsplit(url).path.rsplit("/", 1)[-1] or "page.html")
    detected = await asyncio.to_thread(detect_file, data, name)  # CPU work: never on the event loop
    if url is not None and detected.kind == DocumentKind.HTML:
        html = data.decode(detected.encoding or "utf-8", errors="replace")
        return await asyncio.to_thread(convert_html, html, url)
    return await convert_file(data, detected.kind.value, name)  # Markdown in its own process, time-limited


async def _embed(embedder: Embedder, chunks: Sequence[Chunk], progress: _Progress) -> list[list[float]]:
    """The chunks' vectors, EMBED_BATCH at a time through the process's batcher, which embeds them together
    with the chunks of the other documents being ingested (a long document does not hold the model for its
    whole length: other documents' rounds run between its own)."""
    settings = get_settings()
    batcher = batcher_for(embedder, max_texts=settings.embed_batch_max_texts, wait_ms=settings.embed_batch_wait_ms)
    vectors: list[list[float]] = []
    for start in range(0, len(chunks), EMBED_BATCH):
        batch = chunks[start : start + EMBED_BATCH]
        texts = [c.embed_text for c in batch]
        vectors.extend(await batcher.embed_documents(texts, tokens=sum(c.token_count for c in batch)))
        done = start + len(batch)
        if done < len(chunks):  # after the last batch the final transaction writes `ready` at once
            await progress.report(progress=45 + int(50 * done / max(1, len(chunks))))
    return vectors


async def _embed_images(multimodal: MultimodalEmbedder, chunks: Sequence[Chunk]) -> dict[int, list[float]]:
    """The multimodal vector of every image chunk that carries its picture, by chunk index."""
    pictures = [c for c in chunks if c.kind == "image" and c.image_png]
    vectors: dict[int, list[float]] = {}
    for start in range(0, len(pictures), IMAGE_BATCH):
        batch = pictures[start : start + IMAGE_BATCH]
        found = await multimodal.embed_images([c.image_png for c in batch if c.image_png])
        vectors.update(zip((c.index for c in batch), found, strict=True))
    return vectors
