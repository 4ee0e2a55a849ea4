"""`SearchContext`: what the streams of one search share. The scope is fixed when it is built; the query's
vector and the enhanced query are computed once, on first demand, and awaited by every stream that needs them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from backend.core.cache import Cache
from backend.core.config import Settings
from backend.core.db import Database, TenantScope
from backend.models.embeddings import Embedder, MultimodalEmbedder
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
        # A Database bound to one connection (tests, a caller's own transaction) cannot run two statements at
        # once: its sessions take turns. Otherwise each session holds its own pooled connection, capped per search.
        single = isinstance(database.bind, AsyncConnection)
        self._gate = asyncio.Semaphore(1 if single else max(1, settings.retrieval_parallel_queries))

    @property
    def space_id(self) -> Any:
        return self.scope.space_id

    async def query_vector(self) -> list[float]:
        """The original query's vector (embedded once, shared by every stream)."""
        if self._vector is None:
            self._vector = asyncio.ensure_future(self._embed_query())
        # Shielded: one stream timing out must not cancel the embedding the others are waiting for.
        return await asyncio.shield(self._vector)

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
    async def session(self, timeout_ms: float | None = None) -> AsyncIterator[AsyncSession]:
        """A transaction confined to the space (RLS), with a statement time limit, when the gate lets it in."""
        async with self._gate, self.database.tenant(self.scope) as session:
            if timeout_ms:
                await session.execute(
                    text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": str(int(timeout_ms))}
                )
            yield session

    def close(self) -> None:
        """Cancel the shared embedding if nobody waits for it any more."""
        if self._vector is not None and not self._vector.done():
            self._vector.cancel()


__all__ = ["SearchContext"]
