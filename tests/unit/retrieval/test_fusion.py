"""Fusion and reranking: RRF on a hand-checked example, dedupe by content hash, weights, stale marking."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from backend.retrieval.fusion import (
    RerankWeights,
    VertexRanker,
    WeightedReranker,
    build_reranker,
    dedupe,
    is_stale,
    rrf,
)
from backend.retrieval.schemas import SearchResult
from backend.retrieval.types import Candidate

TODAY = date(2026, 12, 4)


def _c(chunk_id: str, **values: object) -> Candidate:
    base: dict[str, object] = {
        "content": f"text of {chunk_id}",
        "content_hash": f"hash-{chunk_id}",
        "stream": "general",
    }
    base.update(values)
    return Candidate(chunk_id=chunk_id, **base)  # type: ignore[arg-type]


def test_rrf_orders_a_hand_checked_example() -> None:
    # vector: a, b, c   keyword: c, a, d   (k = 60)
    # a = 1/61 + 1/62 = 0.032522   c = 1/63 + 1/61 = 0.032266   b = 1/62 = 0.016129   d = 1/63 = 0.015873
    scores = rrf([["a", "b", "c"], ["c", "a", "d"]])
    assert sorted(scores, key=lambda i: -scores[i]) == ["a", "c", "b", "d"]
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert scores["c"] == pytest.approx(1 / 63 + 1 / 61)


def test_rrf_weights_scale_a_ranking() -> None:
    scores = rrf([["a", "b"], ["b", "a"]], weights=[1.0, 0.5])
    assert scores["a"] == pytest.approx(1 / 61 + 0.5 / 62) and scores["a"] > scores["b"]
    with pytest.raises(ValueError):
        rrf([["a"]], weights=[1.0, 2.0])


def test_dedupe_keeps_one_copy_per_content_hash_from_the_most_direct_stream() -> None:
    general = _c("g1", content_hash="same", vector_similarity=0.9, keyword_score=None, fused=0.03)
    referenced = _c("r1", content_hash="same", stream="referenced", vector_similarity=0.5, keyword_score=4.0)
    other = _c("g2", content_hash="other")
    kept = dedupe([general, other, referenced])
    assert [c.chunk_id for c in kept] == ["r1", "g2"]
    assert kept[0].vector_similarity == 0.9 and kept[0].keyword_score == 4.0 and kept[0].fused == 0.03


def test_stale_means_valid_until_has_passed() -> None:
    assert is_stale(_c("a", valid_until=TODAY - timedelta(days=1)), TODAY)
    assert not is_stale(_c("a", valid_until=TODAY), TODAY)
    assert not is_stale(_c("a"), TODAY)


async def test_weighted_rerank_combines_the_signals_by_their_weights() -> None:
    reranker = WeightedReranker(RerankWeights(vector=0.5, keyword=0.3, heading=0.1, freshness=0.1, referenced=0.0))
    similar = _c("similar", vector_similarity=0.9)
    keyword = _c("keyword", vector_similarity=0.5, keyword_score=7.0, heading_path=("Pricing",))
    ranked = await reranker.rerank("pricing plans", [similar, keyword], top_k=2, today=TODAY)
    # similar: 0.5*0.9 + 0.1*1 = 0.55     keyword: 0.5*0.5 + 0.3*1 + 0.1*0.5 + 0.1*1 = 0.70
    assert [r.candidate.chunk_id for r in ranked] == ["keyword", "similar"]
    assert ranked[0].score == pytest.approx(0.70) and ranked[1].score == pytest.approx(0.55)
    vector_only = WeightedReranker(RerankWeights(vector=1.0, keyword=0, heading=0, freshness=0, referenced=0))
    assert [r.candidate.chunk_id for r in await vector_only.rerank("x", [keyword, similar], top_k=1)] == ["similar"]


async def test_keyword_signal_follows_rank_among_the_candidates() -> None:
    reranker = WeightedReranker()
    features = reranker.features("q", [_c("a", keyword_score=2.0), _c("b", keyword_score=9.0), _c("c")], TODAY)
    assert [f["keyword"] for f in features] == [pytest.approx(1 / 1.2), 1.0, 0.0]


async def test_stale_passages_are_flagged_and_lose_their_freshness() -> None:
    updated = datetime(2026, 12, 1, tzinfo=UTC)
    fresh = _c("fresh", vector_similarity=0.8, updated_at=updated)
    stale = _c("stale", vector_similarity=0.8, updated_at=updated, valid_until=TODAY - timedelta(days=3))
    ranked = await WeightedReranker().rerank("q", [stale, fresh], top_k=5, today=TODAY)
    assert [(r.candidate.chunk_id, r.stale) for r in ranked] == [("fresh", False), ("stale", True)]
    assert SearchResult.of(ranked[1]).model_dump()["stale"] is True
    old = WeightedReranker().features("q", [_c("old", updated_at=datetime(2025, 12, 4, tzinfo=UTC))], TODAY)
    assert old[0]["freshness"] == pytest.approx(0.75, abs=0.01), "one half-life (a year) old"


async def test_top_k_cuts_the_ranking() -> None:
    candidates = [_c(str(i), vector_similarity=i / 10) for i in range(10)]
    ranked = await WeightedReranker().rerank("q", candidates, top_k=3, today=TODAY)
    assert [r.candidate.chunk_id for r in ranked] == ["9", "8", "7"]


def test_vertex_ranker_is_built_from_settings_without_calling_google() -> None:
    from backend.core.config import get_settings

    settings = get_settings().model_copy(update={"reranker": "vertex", "vertex_project": "acme-prod"})
    ranker = build_reranker(settings)
    assert isinstance(ranker, VertexRanker) and "projects/acme-prod/" in ranker.url
    body = ranker.request_body("pricing", [_c("a", document_title="Guide", heading_path=("Plans",))], 5)
    assert body["records"] == [{"id": "0", "title": "Guide › Plans", "content": "text of a"}]
    assert body["topN"] == 5 and body["model"] == settings.vertex_ranking_model
    unconfigured = get_settings().model_copy(update={"reranker": "vertex", "vertex_project": None})
    assert isinstance(build_reranker(unconfigured), WeightedReranker)


async def test_vertex_ranker_maps_the_ranking_back_to_candidates() -> None:
    import httpx

    from backend.models.resilience import CircuitBreaker, ModelGuard, RetryPolicy

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer token"
        return httpx.Response(200, json={"records": [{"id": "1", "score": 0.9}, {"id": "0", "score": 0.2}]})

    async def token() -> str:
        return "token"

    guard = ModelGuard("vertex", CircuitBreaker("vertex:test-ranking"), timeout=5, retry=RetryPolicy(max_retries=0))
    ranker = VertexRanker(project="p", model="m", guard=guard, token_provider=token)
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    ranker._http.get = lambda: client  # type: ignore[method-assign]
    stale = _c("b", valid_until=TODAY - timedelta(days=1))
    ranked = await ranker.rerank("q", [_c("a"), stale], top_k=1, today=TODAY)
    assert [(r.candidate.chunk_id, r.score, r.stale) for r in ranked] == [("b", 0.9, True)]
    await client.aclose()
