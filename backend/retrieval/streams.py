"""The four retrieval streams. Each finds candidates on its own; `ParallelRetriever` runs them at once.

1. referenced: the best chunks of the documents the user named (exact vector comparison + BM25);
2. general: hybrid search of the space: HNSW vector leg + BM25 keyword leg for the query and for every
   variant of the enhanced query, all at once, fused with reciprocal rank fusion; with a multimodal
   embedder (Vertex AI) also a visual leg that finds pictures by what they show;
3. urls: pages named in the message, read now (see `web`), matched in memory;
4. business_context: brand voice, organization profile, pinned key facts.

Inside a stream, a leg that fails is logged and contributes nothing, so the stream still answers with the rest.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable
from dataclasses import replace
from typing import Any, Protocol

from backend.retrieval.business import (
    BusinessContext,
    business_candidates,
    cached_business_context,
    load_business_context,
)
from backend.retrieval.context import SearchContext
from backend.retrieval.fusion import rrf
from backend.retrieval.legs import (
    candidate_limit,
    fuse,
    isolated,
    keyword_leg,
    run_legs,
    vector_leg,
    visual_leg,
    with_fused,
)
from backend.retrieval.text import bm25, extract_urls, terms
from backend.retrieval.types import Candidate, StreamName
from backend.retrieval.web import LoadedPage, load_page

logger = logging.getLogger(__name__)

VARIANT_WEIGHT = 0.5
"""An enhanced-query variant's rankings count half as much as the user's own words in the fusion."""


class Stream(Protocol):
    """One source of candidates."""

    name: StreamName

    def applies(self, ctx: SearchContext) -> bool:
        """False when the search gives this stream nothing to do (no named documents, no URLs)."""
        ...

    async def run(self, ctx: SearchContext) -> list[Candidate]: ...


class ReferencedStream:
    """The chunks of the documents the user named that best match the query."""

    name: StreamName = "referenced"

    def applies(self, ctx: SearchContext) -> bool:
        return bool(ctx.request.document_ids)

    async def run(self, ctx: SearchContext) -> list[Candidate]:
        ids = list(ctx.request.document_ids)
        limit = candidate_limit(ctx.request.top_k, ctx.settings.retrieval_candidates_per_result)
        vector_rows, keyword_rows = await run_legs(
            {
                "referenced/vector": vector_leg(ctx, None, limit=limit, document_ids=ids, force_exact=True),
                "referenced/keyword": keyword_leg(ctx, ctx.request.query, limit=limit, document_ids=ids),
            }
        )
        return fuse(self.name, [(vector_rows, 1.0), (keyword_rows, 1.0)], limit)


class GeneralStream:
    """Hybrid search of the whole space (or the agent's collections), for the query and its variants."""

    name: StreamName = "general"

    def applies(self, ctx: SearchContext) -> bool:
        return bool(ctx.request.query.strip())

    async def run(self, ctx: SearchContext) -> list[Candidate]:
        limit = candidate_limit(ctx.request.top_k, ctx.settings.retrieval_candidates_per_result)
        tags = list(ctx.request.tags) or None
        query = ctx.request.query

        def legs(text: str, vector: list[float] | None, label: str) -> dict[str, Awaitable[list[dict[str, Any]]]]:
            return {
                f"general/vector/{label}": vector_leg(ctx, vector, limit=limit, tags=tags),
                f"general/keyword/{label}": keyword_leg(ctx, text, limit=limit, tags=tags),
            }

        async def variant_searches() -> list[list[dict[str, Any]]]:
            enhanced = await ctx.enhanced()
            variants = enhanced.variants() if enhanced else []
            if not variants:
                return []
            vectors = await ctx.embed_variants(variants)
            searches = {k: v for i, text in enumerate(variants) for k, v in legs(text, vectors[i], f"v{i + 1}").items()}
            return await run_legs(searches)

        own = legs(query, None, "query")
        if ctx.multimodal is not None:
            own["general/visual/query"] = visual_leg(ctx, limit=limit, tags=tags)
        # The user's own query is searched at once; the variants join when the enhancement arrives.
        original = asyncio.ensure_future(run_legs(own))
        try:
            variant_lists = await isolated(variant_searches(), "general/variants")
            original_lists = await original
        except BaseException:
            original.cancel()
            raise
        weighted = [(rows, 1.0) for rows in original_lists] + [(rows, VARIANT_WEIGHT) for rows in variant_lists]
        return fuse(self.name, weighted, limit)


class UrlStream:
    """Pages named in the message (or passed explicitly), read now and matched against the query in memory."""

    name: StreamName = "urls"

    def __init__(self, fetch: Any = None) -> None:
        self._fetch = fetch

    @staticmethod
    def urls(ctx: SearchContext) -> list[str]:
        found: list[str] = []
        for url in (*ctx.request.urls, *extract_urls(ctx.request.query)):
            if url not in found:
                found.append(url)
        return found[: max(0, ctx.settings.retrieval_max_urls)]

    def applies(self, ctx: SearchContext) -> bool:
        return bool(self.urls(ctx))

    async def run(self, ctx: SearchContext) -> list[Candidate]:
        urls = self.urls(ctx)
        loads = [
            load_page(ctx.scope, url, embedder=ctx.embedder, cache=ctx.cache, settings=ctx.settings, fetch=self._fetch)
            for url in urls
        ]
        loading = asyncio.gather(*loads, return_exceptions=True)
        try:
            vector = await ctx.query_vector()
        except BaseException:
            loading.cancel()  # the pages keep loading into the cache: `load_page` shields the fetch
            raise
        outcomes = await loading
        pages = [p for p in outcomes if isinstance(p, LoadedPage)]
        failures = [p for p in outcomes if isinstance(p, BaseException)]
        if failures and not pages:
            raise failures[0]
        limit = candidate_limit(ctx.request.top_k, ctx.settings.retrieval_candidates_per_result)
        return self.match(pages, ctx.request.query, vector, limit)

    def match(self, pages: list[LoadedPage], query: str, vector: list[float], limit: int) -> list[Candidate]:
        """Rank the pages' chunks for the query: cosine similarity and in-memory BM25, fused by RRF."""
        found: list[Candidate] = []
        for page in pages:
            prefix = hashlib.sha256(page.url.encode("utf-8")).hexdigest()[:16]
            for index, chunk in enumerate(page.chunks):
                found.append(
                    Candidate(
                        chunk_id=f"url:{prefix}:{index}",
                        content=chunk.content,
                        content_hash=chunk.content_hash,
                        stream=self.name,
                        document_title=page.title,
                        heading_path=chunk.heading_path,
                        page=chunk.page,
                        source_url=page.url,
                        vector_similarity=sum(a * b for a, b in zip(vector, chunk.vector, strict=False)),
                    )
                )
        keyword = bm25(terms(query), [" ".join((*c.heading_path, c.content)) for c in found])
        by_vector = [c.chunk_id for c in sorted(found, key=lambda c: -(c.vector_similarity or 0.0))]
        by_keyword = [found[i].chunk_id for i in sorted(range(len(found)), key=lambda i: -keyword[i]) if keyword[i] > 0]
        scores = rrf([by_vector, by_keyword])
        ranked = [
            with_fused(_with_keyword(c, keyword[i]), scores[c.chunk_id])
            for i, c in sorted(enumerate(found), key=lambda ic: -scores[ic[1].chunk_id])
        ]
        return ranked[:limit]


def _with_keyword(candidate: Candidate, score: float) -> Candidate:
    return replace(candidate, keyword_score=score or None)


class BusinessContextStream:
    """Brand voice, organization profile and pinned key facts (always returned, never cut by top_k)."""

    name: StreamName = "business_context"

    def applies(self, ctx: SearchContext) -> bool:
        return True

    async def run(self, ctx: SearchContext) -> list[Candidate]:
        async def load() -> BusinessContext:
            async with ctx.session(ctx.settings.retrieval_stream_timeout_ms) as session:
                return await load_business_context(session, ctx.scope)

        context = await cached_business_context(ctx.cache, ctx.scope, load)
        return business_candidates(context, ctx.request.query)


def default_streams(fetch: Any = None) -> list[Stream]:
    """The four streams, in the order their timings are reported."""
    return [ReferencedStream(), GeneralStream(), UrlStream(fetch), BusinessContextStream()]


__all__ = [
    "VARIANT_WEIGHT",
    "BusinessContextStream",
    "GeneralStream",
    "ReferencedStream",
    "Stream",
    "UrlStream",
    "candidate_limit",
    "default_streams",
    "fuse",
    "keyword_leg",
    "vector_leg",
    "visual_leg",
]
