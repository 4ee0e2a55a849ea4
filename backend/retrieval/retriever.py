"""`ParallelRetriever`: the four streams at once, each with its own time limit, then dedupe and rerank.

The retriever is bound to one space when it is built and refuses to exist without one: there is no
unscoped retrieval. A stream that fails or runs out of time is logged, reported in the response and left
out; the others still answer. Query enhancement runs beside the streams: the user's own query is searched
at once, and the variants join the general stream when (and if) the fast model answers within its limit.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from backend.core.cache import Cache, get_cache
from backend.core.config import Settings, get_settings
from backend.core.db import TenantScope, get_database
from backend.core.errors import AppError, ValidationFailed
from backend.models.embeddings import Embedder, MultimodalEmbedder
from backend.retrieval.context import SearchContext
from backend.retrieval.enhance import QueryEnhancer, enhancement_default
from backend.retrieval.fusion import STREAM_PRIORITY, Reranker, WeightedReranker, build_reranker, dedupe
from backend.retrieval.streams import Stream, default_streams
from backend.retrieval.types import (
    DEFAULT_TOP_K,
    MAX_TOP_K,
    STREAMS,
    Candidate,
    EnhancedQuery,
    EnhancementStatus,
    RankedResult,
    RetrievalRequest,
    RetrievalResponse,
    StreamName,
    StreamReport,
)
from backend.tenancy.access import parse_uuid
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 2000
MAX_DOCUMENT_IDS = 50


class ParallelRetriever:
    """Retrieval in one space: referenced documents, hybrid search, URLs and business context, in parallel."""

    def __init__(
        self,
        scope: TenantScope | SpaceContext | None,
        *,
        embedder: Embedder | None = None,
        enhancer: QueryEnhancer | None = None,
        reranker: Reranker | None = None,
        streams: Sequence[Stream] | None = None,
        cache: Cache | None = None,
        settings: Settings | None = None,
        timeouts_ms: Mapping[StreamName, float] | None = None,
        multimodal: MultimodalEmbedder | None = None,
    ) -> None:
        if isinstance(scope, SpaceContext):
            scope = scope.scope
        if not isinstance(scope, TenantScope):
            raise RuntimeError("ParallelRetriever needs the caller's space (a TenantScope or SpaceContext)")
        self.scope = scope
        self.settings = settings or get_settings()
        self._embedder = embedder
        self._multimodal = multimodal
        self._cache = cache
        self._enhancer = enhancer
        self.reranker = reranker or build_reranker(self.settings)
        self.streams = list(streams) if streams is not None else default_streams()
        self.timeouts_ms: dict[StreamName, float] = {
            name: float(self.settings.retrieval_stream_timeout_ms) for name in STREAMS
        }
        self.timeouts_ms["urls"] = float(self.settings.retrieval_url_timeout_ms)
        self.timeouts_ms.update(timeouts_ms or {})

    @property
    def enhancer(self) -> QueryEnhancer:
        if self._enhancer is None:
            self._enhancer = QueryEnhancer(cache=self._cache, settings=self.settings)
        return self._enhancer

    async def retrieve(
        self,
        query: str | RetrievalRequest,
        *,
        document_ids: Iterable[Any] = (),
        urls: Iterable[str] = (),
        tags: Iterable[str] = (),
        top_k: int | None = None,
        enhance: bool | None = None,
    ) -> RetrievalResponse:
        """Search the space. Passages come best first (at most `top_k`), then the pinned business context."""
        request = (
            query
            if isinstance(query, RetrievalRequest)
            else RetrievalRequest(
                query=query,
                document_ids=tuple(document_ids),
                urls=tuple(urls),
                tags=tuple(tags),
                top_k=top_k or DEFAULT_TOP_K,
                enhance=enhance,
            )
        )
        request = normalize_request(request)
        started = time.perf_counter()
        enhancing = enhancement_default(self.settings) if request.enhance is None else request.enhance
        enhance_ms: list[float] = []
        enhance_status: list[EnhancementStatus] = []
        enhancement = (
            asyncio.ensure_future(self._enhance(request.query, enhance_ms, enhance_status)) if enhancing else None
        )
        ctx = SearchContext(
            self.scope,
            request,
            database=get_database(),
            embedder=self._embedder or _default_embedder(self.settings),
            cache=self._cache or get_cache(),
            settings=self.settings,
            enhancement=enhancement,
            multimodal=self._multimodal or _default_multimodal(self.settings),
        )
        reports = {name: StreamReport() for name in STREAMS}
        if any(stream.name in ("general", "urls") and stream.applies(ctx) for stream in self.streams):
            ctx.start_query_embedding()
        try:
            found = await asyncio.gather(*(self._run(stream, ctx, reports[stream.name]) for stream in self.streams))
            enhanced = await enhancement if enhancement is not None else None
        finally:
            ctx.close()
            if enhancement is not None and not enhancement.done():
                enhancement.cancel()
        candidates = [c for group in found for c in group]
        pinned = [c for c in candidates if c.pinned]
        passages = dedupe(sorted((c for c in candidates if not c.pinned), key=_stream_order))
        rerank_started = time.perf_counter()
        results = await self._rerank(request.query, passages, request.top_k)
        rerank_ms = (time.perf_counter() - rerank_started) * 1000
        results += [RankedResult(c, c.fused) for c in pinned]
        timings: dict[str, float] = {name: reports[name].ms for name in STREAMS}
        timings.update(
            rerank=rerank_ms,
            total=(time.perf_counter() - started) * 1000,
            enhance=sum(enhance_ms),
            embed=ctx.embed_ms,
        )
        logger.info(
            "retrieval",
            extra={
                "space_id": str(self.scope.space_id),
                "results": len(results),
                "timings_ms": {k: round(v, 1) for k, v in timings.items()},
                "streams": {k: r.status for k, r in reports.items()},
            },
        )
        status: EnhancementStatus = enhance_status[0] if enhance_status else ("failed" if enhancing else "off")
        if status == "timeout":
            # Said where the timings are (present only then): the limit the enhancement ran into, unanswered.
            timings["enhance_timeout"] = float(self.enhancer.timeout_ms)
        return RetrievalResponse(results, enhanced, reports, timings, enhancement=status)

    async def _enhance(
        self, query: str, elapsed: list[float], status: list[EnhancementStatus]
    ) -> EnhancedQuery | None:
        started = time.perf_counter()
        try:
            enhanced, outcome = await self.enhancer.enhance_with_status(self.scope, query)
            status.append(outcome)
            return enhanced
        finally:
            elapsed.append((time.perf_counter() - started) * 1000)

    def timeout_ms(self, name: StreamName) -> float:
        return self.timeouts_ms[name]

    async def _run(self, stream: Stream, ctx: SearchContext, report: StreamReport) -> list[Candidate]:
        """One stream under its own time limit; whatever goes wrong stays inside its report."""
        if not stream.applies(ctx):
            return []
        limit_ms = self.timeout_ms(stream.name)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(limit_ms / 1000):
                found = await stream.run(ctx)
        except TimeoutError:
            report.status, report.error = "timeout", f"No answer within {limit_ms:g} ms."
            logger.warning("retrieval stream timed out", extra={"stream": stream.name, "timeout_ms": limit_ms})
            return []
        except AppError as exc:
            report.status, report.error = "error", _shown_error(stream.name, exc)
            logger.warning("retrieval stream failed", extra={"stream": stream.name, "error": exc.message[:300]})
            return []
        except Exception as exc:
            report.status, report.error = "error", "This source could not be searched."
            logger.exception("retrieval stream failed", extra={"stream": stream.name, "error": type(exc).__name__})
            return []
        finally:
            report.ms = (time.perf_counter() - started) * 1000
        report.status, report.found = "ok", len(found)
        return found

    async def _rerank(self, query: str, candidates: list[Candidate], top_k: int) -> list[RankedResult]:
        try:
            return await self.reranker.rerank(query, candidates, top_k=top_k)
        except Exception as exc:
            if isinstance(self.reranker, WeightedReranker):
                raise
            logger.warning("reranker failed, using the weighted one", extra={"error": f"{type(exc).__name__}"})
            return await WeightedReranker().rerank(query, candidates, top_k=top_k)


def normalize_request(request: RetrievalRequest) -> RetrievalRequest:
    """The request with a trimmed query, valid unique document ids and URLs, and top_k within 1..100."""
    query = " ".join(request.query.split())
    if not query:
        raise ValidationFailed("Type something to search for.", code="empty_query")
    if len(query) > MAX_QUERY_CHARS:
        raise ValidationFailed(f"A search can be at most {MAX_QUERY_CHARS} characters.", code="query_too_long")
    ids: list[uuid.UUID] = []
    for raw in request.document_ids:
        parsed = parse_uuid(raw)
        if parsed is not None and parsed not in ids:
            ids.append(parsed)
    urls: list[str] = []
    for url in request.urls:
        cleaned = str(url).strip()
        if cleaned and cleaned not in urls:
            urls.append(cleaned)
    tags = tuple(dict.fromkeys(t.strip().lower() for t in request.tags if t and t.strip()))
    return replace(
        request,
        query=query,
        document_ids=tuple(ids[:MAX_DOCUMENT_IDS]),
        urls=tuple(urls),
        tags=tags,
        top_k=max(1, min(MAX_TOP_K, int(request.top_k))),
    )


def _stream_order(candidate: Candidate) -> tuple[int, float]:
    return STREAM_PRIORITY[candidate.stream], -candidate.fused


def _default_embedder(settings: Settings) -> Embedder:
    from backend.models.registry import get_embedder

    return get_embedder(settings)


def _default_multimodal(settings: Settings) -> MultimodalEmbedder | None:
    from backend.models.registry import get_multimodal_embedder

    return get_multimodal_embedder(settings)



# What the URL stream's errors would tell a viewer ("could not find the site", "private address") says
# whether a host name resolves, and to what kind of address, from inside our network: the person gets
# one sentence, the log gets the detail.
_URL_STREAM_ERROR = "A web page you gave could not be read."


def _shown_error(stream: str, exc: AppError) -> str:
    return _URL_STREAM_ERROR if stream == "urls" else exc.message

__all__ = ["ParallelRetriever", "normalize_request"]
