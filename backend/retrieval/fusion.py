"""Putting the streams' findings together: reciprocal rank fusion, dedupe by content hash, and reranking.

The default reranker is a weighted sum of signals every candidate can carry (vector similarity to the query,
keyword rank, query terms in the heading path, freshness). It is a `Reranker` like any other, so a Vertex AI
ranking model (RERANKER=vertex) can take its place; if that fails, the weighted one answers instead.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from backend.core.config import Settings, get_settings
from backend.retrieval.text import overlap, terms
from backend.retrieval.types import Candidate, RankedResult, StreamName

logger = logging.getLogger(__name__)

RRF_K = 60
"""The usual constant of reciprocal rank fusion: rank 1 scores 1/61, rank 10 scores 1/70."""
STREAM_PRIORITY: dict[StreamName, int] = {"referenced": 0, "general": 1, "urls": 2, "business_context": 3}
"""Which copy of a duplicated passage is kept: one the user pointed at beats one the search found."""


def rrf(
    rankings: Sequence[Sequence[str]], *, k: int = RRF_K, weights: Sequence[float] | None = None
) -> dict[str, float]:
    """Reciprocal rank fusion: each list adds weight / (k + rank) to every id it ranks (rank from 1)."""
    if weights is not None and len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[str, float] = {}
    for index, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[index]
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


def dedupe(candidates: Iterable[Candidate]) -> list[Candidate]:
    """One candidate per content hash, in first-seen order of the kept copies.

    The copy from the most direct stream is kept (referenced, then general, then URLs) and carries the
    strongest signals of all copies: the same paragraph in two documents is one passage, not two.
    """
    kept: dict[str, Candidate] = {}
    for candidate in candidates:
        key = candidate.content_hash or candidate.chunk_id
        current = kept.get(key)
        if current is None:
            kept[key] = candidate
        elif STREAM_PRIORITY[candidate.stream] < STREAM_PRIORITY[current.stream]:
            kept[key] = candidate.merged_with(current)
        else:
            kept[key] = current.merged_with(candidate)
    return list(kept.values())


def is_stale(candidate: Candidate, today: date) -> bool:
    """The passage's document was valid until a day that has passed."""
    return candidate.valid_until is not None and candidate.valid_until < today


def today_utc() -> date:
    return datetime.now(UTC).date()


class Reranker(Protocol):
    """Orders candidates for a query and keeps the best `top_k`."""

    name: str

    async def rerank(
        self, query: str, candidates: Sequence[Candidate], *, top_k: int, today: date | None = None
    ) -> list[RankedResult]: ...


@dataclass(frozen=True, slots=True)
class RerankWeights:
    """How much each signal counts. Every signal is scaled to 0..1 first."""

    vector: float = 0.45
    keyword: float = 0.08
    """Low on purpose: the keyword leg has already brought its best passages into the candidates, and a steep
    rank signal on top outweighed the vector similarity. Measured on the tuning half of `bench/quality_corpus.py`
    (`bench_quality.py --tune`), nDCG@10: 0.584 at 0.25, 0.601 at 0.15, 0.625 at 0.08, 0.632 at 0.04, 0.618 at 0;
    0.08 rather than 0.04 (within noise of each other) keeps exact keyword matches a say when similarities tie."""
    heading: float = 0.10
    freshness: float = 0.10
    referenced: float = 0.10
    """A passage from a document the user named outranks an equally good one the search found."""


KEYWORD_RANK_SCALE = 5.0
"""Keyword signal by rank among the candidates: 1 for the best, 0.5 for the 6th, 0.2 for the 21st."""
FRESHNESS_HALF_LIFE_DAYS = 365.0


class WeightedReranker:
    """Weighted fusion of vector similarity, keyword rank, heading-path match and freshness."""

    name = "weighted"

    def __init__(self, weights: RerankWeights | None = None) -> None:
        self.weights = weights or RerankWeights()

    def features(self, query: str, candidates: Sequence[Candidate], today: date) -> list[dict[str, float]]:
        """Each candidate's signals, scaled to 0..1."""
        query_terms = terms(query)
        by_keyword = sorted((c for c in candidates if c.keyword_score), key=lambda c: -(c.keyword_score or 0.0))
        keyword_rank = {c.chunk_id: rank for rank, c in enumerate(by_keyword)}
        out = []
        for c in candidates:
            rank = keyword_rank.get(c.chunk_id)
            out.append(
                {
                    "vector": max(0.0, min(1.0, c.vector_similarity or 0.0)),
                    "keyword": 0.0 if rank is None else 1.0 / (1.0 + rank / KEYWORD_RANK_SCALE),
                    "heading": overlap(query_terms, " ".join((*c.heading_path, c.document_title))),
                    "freshness": _freshness(c, today),
                    "referenced": 1.0 if c.stream == "referenced" else 0.0,
                }
            )
        return out

    def score(self, features: dict[str, float]) -> float:
        w = self.weights
        return (
            w.vector * features["vector"]
            + w.keyword * features["keyword"]
            + w.heading * features["heading"]
            + w.freshness * features["freshness"]
            + w.referenced * features["referenced"]
        )

    async def rerank(
        self, query: str, candidates: Sequence[Candidate], *, top_k: int, today: date | None = None
    ) -> list[RankedResult]:
        today = today or today_utc()
        scored = [
            RankedResult(c, self.score(f), stale=is_stale(c, today))
            for c, f in zip(candidates, self.features(query, candidates, today), strict=True)
        ]
        # Ties (equal scores) keep the streams' own order: the sort is stable.
        scored.sort(key=lambda r: -r.score)
        return scored[: max(0, top_k)]


def _freshness(candidate: Candidate, today: date) -> float:
    """1 for live content (fetched pages, business context), 0 past "valid until", decaying with age between."""
    if is_stale(candidate, today):
        return 0.0
    if candidate.updated_at is None:
        return 1.0
    age_days = max(0.0, (today - candidate.updated_at.date()).days)
    return 0.5 + 0.5 * math.exp(-age_days * math.log(2) / FRESHNESS_HALF_LIFE_DAYS)


class VertexRanker:
    """Vertex AI's ranking API (Discovery Engine `rankingConfigs:rank`), used when RERANKER=vertex.

    Built from settings; it calls Google only when a search reranks, with the models' timeout, retries and
    circuit breaker. Stale passages are still flagged, and the caller falls back to the weighted reranker
    when this one fails.
    """

    name = "vertex"
    MAX_RECORDS = 200

    def __init__(
        self,
        *,
        project: str,
        model: str,
        guard: Any,
        token_provider: Any = None,
        endpoint: str = "https://discoveryengine.googleapis.com",
    ) -> None:
        from backend.models.embed_remote import GoogleTokenProvider
        from backend.models.http import LoopBoundClient

        self.model = model
        self.url = (
            f"{endpoint.rstrip('/')}/v1/projects/{project}/locations/global/rankingConfigs/default_ranking_config:rank"
        )
        self.guard = guard
        self._token = token_provider or GoogleTokenProvider()
        self._http = LoopBoundClient(guard.timeout)

    @classmethod
    def from_settings(cls, settings: Settings) -> VertexRanker:
        from backend.models.errors import ModelUnavailable
        from backend.models.resilience import ModelGuard

        if not settings.vertex_project:
            raise ModelUnavailable("RERANKER=vertex needs VERTEX_PROJECT", provider="vertex", retryable=False)
        guard = ModelGuard.from_settings("vertex", "ranking", settings)
        return cls(project=settings.vertex_project, model=settings.vertex_ranking_model, guard=guard)

    def request_body(self, query: str, candidates: Sequence[Candidate], top_k: int) -> dict[str, Any]:
        records = [
            {"id": str(i), "title": " › ".join((c.document_title, *c.heading_path)).strip(" ›"), "content": c.content}
            for i, c in enumerate(candidates[: self.MAX_RECORDS])
        ]
        return {"model": self.model, "query": query, "records": records, "topN": top_k,
                "ignoreRecordDetailsInResponse": True}  # fmt: skip

    async def rerank(
        self, query: str, candidates: Sequence[Candidate], *, top_k: int, today: date | None = None
    ) -> list[RankedResult]:
        if not candidates:
            return []
        today = today or today_utc()
        body = self.request_body(query, candidates, top_k)

        async def attempt() -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {await self._token()}"}
            response = await self._http.get().post(self.url, json=body, headers=headers)
            response.raise_for_status()
            payload: dict[str, Any] = response.json()
            return payload

        payload = await self.guard.call(attempt)
        ranked = []
        for record in payload.get("records", []):
            candidate = candidates[int(record["id"])]
            ranked.append(RankedResult(candidate, float(record.get("score", 0.0)), stale=is_stale(candidate, today)))
        return ranked[:top_k]


def build_reranker(settings: Settings | None = None) -> Reranker:
    """The reranker the RERANKER setting names (the weighted one when Vertex is not configured)."""
    settings = settings or get_settings()
    if settings.reranker == "vertex":
        try:
            return VertexRanker.from_settings(settings)
        except Exception as exc:
            logger.warning("Vertex ranking unavailable, using the weighted reranker", extra={"error": str(exc)})
    return WeightedReranker()


__all__ = [
    "RRF_K",
    "STREAM_PRIORITY",
    "RerankWeights",
    "Reranker",
    "VertexRanker",
    "WeightedReranker",
    "build_reranker",
    "dedupe",
    "is_stale",
    "rrf",
    "today_utc",
]
