"""`SearchContext`: what the streams of one search share. The scope is fixed when it is built; the query's
vector and the enhanced query are computed once, on first demand, and awaited by every stream that needs them.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from backend.core.cache import Cache
from backend.core.config import Settings
from backend.core.db import Database, TenantScope
from backend.models.embeddings import Embedder, MultimodalEmbedder
from backend.retrieval import keyword, queries
from backend.retrieval.keyword import TermStats
from backend.retrieval.queries import Eligibility
from backend.retrieval.types import EnhancedQuery, RetrievalRequest


class SearchContext:
    """One search in one space: its request, its models, its database gate and shared computations."""

    def __init__(
        self,
        scope: TenantScope,
        request: RetrievalRequest,
        *,
        database: Database,
        embedder: Embedder,
        cache: Cache,
        settings: Settings,
        enhancement: asyncio.Future[EnhancedQuery | None] | None = None,
        multimodal: MultimodalEmbedder | None = None,
    ) -> None:
        if not isinstance(scope, TenantScope):
            raise RuntimeError("a search needs a TenantScope")
        self.scope = scope
        self.request = request
        self.database = database
        self.embedder = embedder
        self.multimodal = multimodal
        """Searches pictures by the query text when set (Vertex AI); None: no visual leg."""
        self.cache = cache
        self.settings = settings
        self.embed_ms = 0.0
        self._enhancement = enhancement
        self._vector: asyncio.Task[list[float]] | None = None
        self._eligibility: dict[tuple[Any, Any], asyncio.Future[Eligibility]] = {}
        # A Database bound to one connection (tests, a caller's own transaction) cannot run two statements at
        # once: its sessions take turns. Otherwise each session holds its own pooled connection, capped per search.
        single = isinstance(database.bind, AsyncConnection)
        self._gate = asyncio.Semaphore(1 if single else max(1, settings.retrieval_parallel_queries))

    @property
    def space_id(self) -> Any:
        return self.scope.space_id

    def start_query_embedding(self) -> asyncio.Task[list[float]]:
        """Start embedding the query now, before the streams open their transactions.

        The embedding is the longest step of a search and runs on its own thread: started first, the streams'
        first round trips to the database overlap it; started on first demand, it waited for them.
        """
        if self._vector is None:
            self._vector = asyncio.ensure_future(self._embed_query())
        return self._vector

    async def query_vector(self) -> list[float]:
        """The original query's vector (embedded once, shared by every stream)."""
        vector = self.start_query_embedding()
        # Shielded: one stream timing out must not cancel the embedding the others are waiting for.
        return await asyncio.shield(vector)

    async def _embed_query(self) -> list[float]:
        started = time.perf_counter()
        try:
            return await self.embedder.embed_query(self.request.query)
        finally:
            self.embed_ms += (time.perf_counter() - started) * 1000

    async def visual_query_vector(self) -> list[float]:
        """The query in the multimodal model's space (only with a multimodal embedder)."""
        if self.multimodal is None:
            raise RuntimeError("visual search needs a multimodal embedder")
        started = time.perf_counter()
        try:
            return await self.multimodal.embed_text(self.request.query)
        finally:
            self.embed_ms += (time.perf_counter() - started) * 1000

    async def embed_variants(self, variants: list[str]) -> list[list[float]]:
        """Vectors of the enhanced query's variants, in one call."""
        started = time.perf_counter()
        try:
            return await self.embedder.embed_documents(variants, task_type="RETRIEVAL_QUERY")
        finally:
            self.embed_ms += (time.perf_counter() - started) * 1000

    async def enhanced(self) -> EnhancedQuery | None:
        """The enhanced query, or None (enhancement off, failed or out of time: the enhancer bounds the wait)."""
        if self._enhancement is None:
            return None
        return await asyncio.shield(self._enhancement)

    @asynccontextmanager
    async def session(
        self, timeout_ms: float | None = None, *, local: dict[str, str] | None = None
    ) -> AsyncIterator[AsyncSession]:
        """A transaction confined to the space (RLS), with a statement time limit, when the gate lets it in.

        The time limit and `local` settings are set with the tenant scope, in the session's one set-up statement.
        """
        settings = dict(local or {})
        if timeout_ms:
            settings["statement_timeout"] = str(int(timeout_ms))
        async with self._gate, self.database.tenant(self.scope, local=settings) as session:
            yield session

    async def eligibility(
        self,
        session: AsyncSession,
        *,
        document_ids: Sequence[uuid.UUID] | None = None,
        tags: Sequence[str] | None = None,
    ) -> Eligibility:
        """Which documents the search may return, read once per search and filter (the legs share it).

        The first leg to ask reads it on its own session; the others wait for that read, or read it themselves
        if it failed or its leg was cancelled (a read never outlives the session it runs on).
        """
        key = (None if document_ids is None else tuple(document_ids), None if tags is None else tuple(tags))
        pending = self._eligibility.get(key)
        if pending is None:
            pending = asyncio.ensure_future(
                queries.eligibility(session, self.space_id, document_ids=document_ids, tags=tags)
            )
            self._eligibility[key] = pending
            return await pending
        try:
            return await asyncio.shield(pending)
        except asyncio.CancelledError:
            if not pending.cancelled():
                raise  # this leg itself was cancelled
        except Exception:  # noqa: S110  (the leg that read it reports the failure; this one tries again)
            pass
        return await queries.eligibility(session, self.space_id, document_ids=document_ids, tags=tags)

    async def eligibility_and_terms(
        self,
        session: AsyncSession,
        text: str,
        *,
        document_ids: Sequence[uuid.UUID] | None = None,
        tags: Sequence[str] | None = None,
    ) -> tuple[Eligibility, TermStats]:
        """`eligibility` and the term statistics of `text` (the keyword leg's reads) in one round trip.

        Read together in one statement when no other leg is reading the eligibility yet (the others then share
        it); otherwise only the term statistics are read, while the other leg's read finishes.
        """
        key = (None if document_ids is None else tuple(document_ids), None if tags is None else tuple(tags))
        if key in self._eligibility:
            stats = await keyword.term_stats(session, self.space_id, text)
            return await self.eligibility(session, document_ids=document_ids, tags=tags), stats
        shared: asyncio.Future[Eligibility] = asyncio.get_running_loop().create_future()
        self._eligibility[key] = shared
        try:
            elig, stats = await keyword.eligibility_and_term_stats(
                session, self.space_id, text, document_ids=document_ids, tags=tags
            )
        except Exception as exc:
            shared.set_exception(exc)  # the others read it themselves
            raise
        except BaseException:
            shared.cancel()
            raise
        shared.set_result(elig)
        return elig, stats

    def close(self) -> None:
        """Cancel the shared embedding (and eligibility reads) if nobody waits for them any more."""
        if self._vector is not None and not self._vector.done():
            self._vector.cancel()
        elif self._vector is not None and not self._vector.cancelled():
            self._vector.exception()  # retrieved: a failed embedding is reported by the streams that needed it
        for pending in self._eligibility.values():
            if not pending.done():
                pending.cancel()
            elif not pending.cancelled():
                pending.exception()  # retrieved: a failure was reported by the leg that awaited it


__all__ = ["SearchContext"]
