"""The legs a stream runs (vector, keyword, visual), run side by side with failures isolated, and fused.

A leg that fails is logged and contributes nothing, so its stream still answers with the rest.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from backend.retrieval import keyword, queries
from backend.retrieval.context import SearchContext
from backend.retrieval.fusion import rrf
from backend.retrieval.types import Candidate, StreamName

logger = logging.getLogger(__name__)

T = TypeVar("T")


def candidate_limit(top_k: int, per_result: int = 3) -> int:
    """Candidates a stream hands to the reranker: a few times what is kept, so reranking has a choice."""
    return min(200, max(20, per_result * top_k))


async def isolated(work: Awaitable[list[T]], what: str) -> list[T]:
    """`work`'s result, or nothing (logged) if it fails: one leg never sinks its stream."""
    try:
        return await work
    except Exception as exc:
        log_leg_failure(what, exc)
        return []


async def run_legs(legs: dict[str, Awaitable[list[T]]]) -> list[list[T]]:
    """The legs' results at once; a failed leg counts as empty, unless every leg failed (then the stream did)."""
    outcomes = await asyncio.gather(*legs.values(), return_exceptions=True)
    failures = [(name, o) for name, o in zip(legs, outcomes, strict=True) if isinstance(o, BaseException)]
    for name, failure in failures:
        if not isinstance(failure, Exception):
            raise failure  # cancellation and the like are not a leg's failure
        log_leg_failure(name, failure)
    if failures and len(failures) == len(outcomes):
        raise failures[0][1]
    return [o if not isinstance(o, BaseException) else [] for o in outcomes]


def log_leg_failure(what: str, exc: BaseException) -> None:
    logger.warning("retrieval leg failed", extra={"leg": what, "error": f"{type(exc).__name__}: {exc}"[:300]})


def row_candidate(row: dict[str, Any], stream: StreamName) -> Candidate:
    return Candidate(
        chunk_id=str(row["id"]),
        content=row["content"],
        content_hash=row["content_hash"],
        stream=stream,
        document_id=str(row["document_id"]),
        document_title=row["document_title"],
        heading_path=tuple(row["heading_path"] or ()),
        page=row["page"],
        source_url=row["source_url"],
        kind=row.get("kind") or "text",
        vector_similarity=None if row.get("similarity") is None else float(row["similarity"]),
        visual_similarity=None if row.get("visual_similarity") is None else float(row["visual_similarity"]),
        keyword_score=None if row.get("keyword_score") is None else float(row["keyword_score"]),
        valid_until=row["valid_until"],
        updated_at=row["updated_at"],
        scan_version=row.get("scan_version"),
        released=bool(row.get("released")),
    )


def fuse(stream: StreamName, lists: Sequence[tuple[list[dict[str, Any]], float]], limit: int) -> list[Candidate]:
    """Rankings of chunk rows (each with a weight) fused by RRF into one list of candidates, best first."""
    scores = rrf([[str(r["id"]) for r in rows] for rows, _ in lists], weights=[w for _, w in lists])
    found: dict[str, Candidate] = {}
    for rows, _ in lists:
        for row in rows:
            candidate = row_candidate(row, stream)
            previous = found.get(candidate.chunk_id)
            found[candidate.chunk_id] = candidate if previous is None else previous.merged_with(candidate)
    ranked = sorted(found.values(), key=lambda c: -scores[c.chunk_id])
    return [with_fused(c, scores[c.chunk_id]) for c in ranked[:limit]]


def with_fused(candidate: Candidate, score: float) -> Candidate:
    return replace(candidate, fused=score)


async def vector_leg(
    ctx: SearchContext,
    vector: list[float] | None,
    *,
    limit: int,
    document_ids: Sequence[uuid.UUID] | None = None,
    tags: Sequence[str] | None = None,
    force_exact: bool = False,
) -> list[dict[str, Any]]:
    """Nearest chunks to `vector` (the query's own vector when None), filtered to the space (and documents).

    The transaction is opened and the eligible documents read while the query is still being embedded: those
    round trips then cost nothing on the search's critical path, which is the embedding followed by this SQL.
    """
    compare_task = asyncio.ensure_future(ctx.query_vector())
    settings = ctx.settings
    hnsw = queries.hnsw_settings(ef_search=settings.retrieval_hnsw_ef_search, limit=limit)
    try:
        async with ctx.session(settings.retrieval_stream_timeout_ms, local=hnsw) as session:
            elig = await ctx.eligibility(session, document_ids=document_ids, tags=tags)
            compare = await compare_task
            return await queries.vector_search(
                session,
                ctx.space_id,
                vector=vector or compare,
                compare=compare,
                model_id=ctx.embedder.model_id,
                elig=elig,
                limit=limit,
                ef_search=settings.retrieval_hnsw_ef_search,
                exact=force_exact or elig.use_exact_scan(limit, settings.retrieval_exact_scan_max_chunks),
                hnsw_set=True,
            )
    finally:
        if compare_task.done() and not compare_task.cancelled():
            compare_task.exception()  # retrieved: a failed embedding is raised above or by another leg
        compare_task.cancel()


async def keyword_leg(
    ctx: SearchContext,
    text: str,
    *,
    limit: int,
    document_ids: Sequence[uuid.UUID] | None = None,
    tags: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """BM25 over the space's chunks for `text`, each row with its similarity to the original query.

    The BM25 statement does not wait for the query's embedding: it runs while the query is embedded, and the
    similarities of its few rows are read after (one short statement), unless the vector was there first.
    """
    compare = asyncio.ensure_future(ctx.query_vector())
    try:
        async with ctx.session(ctx.settings.retrieval_stream_timeout_ms) as session:
            elig, stats = await ctx.eligibility_and_terms(session, text, document_ids=document_ids, tags=tags)
            if elig.empty or not stats.terms:
                return []
            vector = compare.result() if compare.done() and compare.exception() is None else None
            rows = await keyword.keyword_search(
                session,
                ctx.space_id,
                stats=stats,
                compare=vector,
                elig=elig,
                limit=limit,
                heading_weight=ctx.settings.retrieval_heading_weight,
                budget=stats.budget(ctx.settings.retrieval_keyword_candidates),
            )
            if vector is None:
                found = await queries.similarities(
                    session, ctx.space_id, ids=[r["id"] for r in rows], compare=await compare
                )
                for row in rows:
                    row["similarity"] = found.get(row["id"])
            return rows
    finally:
        if compare.done() and not compare.cancelled():
            compare.exception()  # retrieved (a failed embedding is reported by the vector leg)
        compare.cancel()


async def visual_leg(ctx: SearchContext, *, limit: int, tags: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Pictures nearest to the query text in the multimodal model's space (nothing without that model)."""
    if ctx.multimodal is None:
        return []
    visual, compare = await asyncio.gather(ctx.visual_query_vector(), ctx.query_vector())
    settings = ctx.settings
    async with ctx.session(settings.retrieval_stream_timeout_ms) as session:
        elig = await ctx.eligibility(session, tags=tags)
        return await queries.visual_search(
            session,
            ctx.space_id,
            vector=visual,
            compare=compare,
            elig=elig,
            limit=limit,
            ef_search=settings.retrieval_hnsw_ef_search,
            exact=elig.use_exact_scan(limit, settings.retrieval_exact_scan_max_chunks),
        )


__all__ = [
    "candidate_limit",
    "fuse",
    "isolated",
    "keyword_leg",
    "log_leg_failure",
    "row_candidate",
    "run_legs",
    "vector_leg",
    "visual_leg",
    "with_fused",
]
