"""The search the REST API and the UI's "test retrieval" panel share: the caller's space, its usage booked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from backend.models.accounting import deferred_usage_store, metered
from backend.retrieval.retriever import ParallelRetriever
from backend.retrieval.types import DEFAULT_TOP_K, RetrievalResponse
from backend.tenancy.context import SpaceContext


async def search(
    ctx: SpaceContext,
    query: str,
    *,
    document_ids: Iterable[Any] = (),
    urls: Iterable[str] = (),
    tags: Iterable[str] = (),
    top_k: int = DEFAULT_TOP_K,
    enhance: bool | None = None,
    retriever: ParallelRetriever | None = None,
) -> RetrievalResponse:
    """Search the caller's space (any role may). Model calls (query enhancement, embeddings) are booked to it,
    written a moment later with the other searches' (the response never waits for that write)."""
    retriever = retriever or ParallelRetriever(ctx)
    async with metered(ctx.scope, store=deferred_usage_store()):
        return await retriever.retrieve(
            query, document_ids=document_ids, urls=urls, tags=tags, top_k=top_k, enhance=enhance
        )


__all__ = ["search"]
