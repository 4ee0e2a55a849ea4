"""`ParallelRetriever` with stand-in streams: concurrency, per-stream time limits and isolation of failures,
top k, pinned context, reranker fallback, and no retrieval without a space."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from backend.core.cache import MemoryCache
from backend.core.db import TenantScope, set_database
from backend.core.errors import ValidationFailed
from backend.models.chat_fake import make_fake_chat
from backend.models.embeddings import FakeEmbedder
from backend.retrieval.context import SearchContext
from backend.retrieval.enhance import QueryEnhancer
from backend.retrieval.retriever import ParallelRetriever, normalize_request
from backend.retrieval.schemas import SearchResponse
from backend.retrieval.types import Candidate, RetrievalRequest, StreamName
from backend.tenancy.context import SpaceContext


class _NoDatabase:
    """The stand-in streams never open a session."""

    bind = None


@pytest.fixture(autouse=True)
def _no_database() -> Iterator[None]:
    set_database(_NoDatabase())  # type: ignore[arg-type]
    try:
        yield
    finally:
        set_database(None)


@dataclass
class FakeStream:
    name: StreamName
    found: list[Candidate]
    delay: float = 0.0
    error: Exception | None = None
    applicable: bool = True

    def applies(self, ctx: SearchContext) -> bool:
        return self.applicable

    async def run(self, ctx: SearchContext) -> list[Candidate]:
        await asyncio.sleep(self.delay)
        if self.error:
            raise self.error
        return self.found


def _c(chunk_id: str, stream: StreamName, similarity: float = 0.5, **values: Any) -> Candidate:
    return Candidate(chunk_id, f"text {chunk_id}", f"h-{chunk_id}", stream, vector_similarity=similarity, **values)


def _scope() -> TenantScope:
    return TenantScope(uuid.uuid4(), uuid.uuid4())


def _retriever(*streams: FakeStream, scope: Any = None, **kwargs: Any) -> ParallelRetriever:
    return ParallelRetriever(
        scope or _scope(),
        embedder=FakeEmbedder(),
        cache=MemoryCache(),
        streams=list(streams),
        **kwargs,
    )


@pytest.mark.parametrize("scope", [None, "space-id", uuid.uuid4(), {"space_id": "x"}])
def test_no_scope_no_retriever(scope: Any) -> None:
    with pytest.raises(RuntimeError, match="space"):
        ParallelRetriever(scope)


def test_a_space_context_gives_its_scope() -> None:
    ctx = SpaceContext(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "viewer", "General")
    assert ParallelRetriever(ctx).scope == ctx.scope


async def test_streams_run_at_the_same_time() -> None:
    """Each stream waits until all four have started: run one after another, the first would wait for the
    others until its time limit and report a timeout."""
    everyone = asyncio.Barrier(4)

    class Together(FakeStream):
        async def run(self, ctx: SearchContext) -> list[Candidate]:
            await everyone.wait()
            return self.found

    streams = [
        Together("referenced", [_c("r", "referenced")]),
        Together("general", [_c("g", "general")]),
        Together("urls", [_c("u", "urls")]),
        Together("business_context", []),
    ]
    response = await _retriever(*streams).retrieve("query", enhance=False)
    assert {r.candidate.chunk_id for r in response.results} == {"r", "g", "u"}
    assert {report.status for report in response.streams.values()} == {"ok"}
    assert set(response.timings_ms) >= {"referenced", "general", "urls", "business_context"}


async def test_a_stream_that_raises_or_times_out_does_not_stop_the_others() -> None:
    streams = [
        FakeStream("referenced", [_c("r", "referenced")], error=RuntimeError("database exploded")),
        FakeStream("general", [_c("g", "general")]),
        FakeStream("urls", [_c("u", "urls")], delay=5.0),
        FakeStream("business_context", [_c("b", "business_context", pinned=True)]),
    ]
    retriever = _retriever(*streams, timeouts_ms={"urls": 100})
    response = await retriever.retrieve("query", enhance=False)
    assert [r.candidate.chunk_id for r in response.results] == ["g", "b"]
    reports = response.streams
    assert (reports["referenced"].status, reports["urls"].status) == ("error", "timeout")
    assert reports["general"].status == reports["business_context"].status == "ok"
    assert "database exploded" not in (reports["referenced"].error or ""), "no internals in the response"
    assert reports["urls"].error == "No answer within 100 ms."
    body = SearchResponse.of(response).model_dump(mode="json")
    assert set(body["timings_ms"]) >= {"referenced", "general", "urls", "business_context", "rerank", "total"}
    assert body["streams"]["urls"]["status"] == "timeout"


async def test_streams_with_nothing_to_do_are_skipped() -> None:
    response = await _retriever(FakeStream("urls", [_c("u", "urls")], applicable=False)).retrieve("q", enhance=False)
    assert response.results == [] and response.streams["urls"].status == "skipped" and response.timings_ms["urls"] == 0


async def test_top_k_cuts_passages_but_pinned_context_is_always_appended() -> None:
    general = FakeStream("general", [_c(str(i), "general", similarity=i / 20) for i in range(20)])
    pinned = FakeStream("business_context", [_c("voice", "business_context", pinned=True, fused=1.0)])
    response = await _retriever(general, pinned).retrieve("q", top_k=3, enhance=False)
    assert [r.candidate.chunk_id for r in response.results] == ["19", "18", "17", "voice"]
    assert [r.candidate.chunk_id for r in response.passages()] == ["19", "18", "17"]
    assert response.citations[0].chunk_id == "19"


async def test_duplicates_across_streams_become_one_result_from_the_referenced_stream() -> None:
    streams = [
        FakeStream("general", [Candidate("g", "text", "same", "general", vector_similarity=0.9)]),
        FakeStream("referenced", [Candidate("r", "text", "same", "referenced", vector_similarity=0.4)]),
    ]
    response = await _retriever(*streams).retrieve("q", enhance=False)
    assert [(r.candidate.chunk_id, r.candidate.vector_similarity) for r in response.results] == [("r", 0.9)]


async def test_a_failing_custom_reranker_falls_back_to_the_weighted_one() -> None:
    class Broken:
        name = "broken"

        async def rerank(self, query: str, candidates: Any, *, top_k: int, today: Any = None) -> list[Any]:
            raise ConnectionError("ranking service down")

    general = FakeStream("general", [_c("a", "general", 0.2), _c("b", "general", 0.9)])
    response = await _retriever(general, reranker=Broken()).retrieve("q", enhance=False)
    assert [r.candidate.chunk_id for r in response.results] == ["b", "a"]


async def test_enhancement_runs_beside_the_streams_and_falls_back_when_slow() -> None:
    slow = QueryEnhancer(make_fake_chat([{"expanded_query": "x", "alternatives": [], "entities": []}], delay=2.0),
                         cache=MemoryCache(), timeout_ms=50)  # fmt: skip
    seen: list[Any] = []

    class Waiting(FakeStream):
        async def run(self, ctx: SearchContext) -> list[Candidate]:
            seen.append(await ctx.enhanced())
            return self.found

    response = await _retriever(Waiting("general", [_c("g", "general")]), enhancer=slow).retrieve("q", enhance=True)
    assert seen == [None] and response.enhanced_query is None, "the stream got the fallback, not the slow answer"
    assert [r.candidate.chunk_id for r in response.results] == ["g"], "the original query alone"


async def test_enhancement_can_be_switched_off_per_search() -> None:
    model = make_fake_chat([{"expanded_query": "x y", "alternatives": [], "entities": []}])
    enhancer = QueryEnhancer(model, cache=MemoryCache())
    retriever = _retriever(FakeStream("general", []), enhancer=enhancer)
    assert (await retriever.retrieve("q", enhance=False)).enhanced_query is None and model.calls == []
    on = await retriever.retrieve("q", enhance=True)
    assert on.enhanced_query is not None and on.enhanced_query.expanded_query == "x y"


def test_requests_are_normalised() -> None:
    ids = [str(uuid.uuid4()), "not-an-id"]
    request = normalize_request(
        RetrievalRequest("  what   is\nnew ", document_ids=(ids[0], ids[1], ids[0]), urls=(" u ", "u"), top_k=500)
    )
    assert request.query == "what is new" and [str(i) for i in request.document_ids] == [ids[0]]
    assert request.urls == ("u",) and request.top_k == 100
    assert normalize_request(RetrievalRequest("q", top_k=0)).top_k == 1
    with pytest.raises(ValidationFailed):
        normalize_request(RetrievalRequest("   "))
