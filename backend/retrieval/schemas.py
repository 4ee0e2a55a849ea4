"""The API shapes of retrieval: the search request and response, and pinned key facts."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from backend.retrieval.types import (
    DEFAULT_TOP_K,
    MAX_TOP_K,
    EnhancedQuery,
    EnhancementStatus,
    RankedResult,
    RetrievalResponse,
    StreamName,
    StreamReport,
    StreamStatus,
)


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, max_length=2000)
    document_ids: list[str] = Field(default_factory=list, max_length=50, description="Documents to search inside")
    urls: list[str] = Field(default_factory=list, max_length=10, description="Pages to read for this search")
    top_k: int = Field(default=DEFAULT_TOP_K, ge=1, le=MAX_TOP_K)
    enhance: bool | None = Field(default=None, description="Query enhancement; default: the server's setting")
    tags: list[str] = Field(default_factory=list, max_length=20, description="Search only documents with these tags")


class SearchResult(BaseModel):
    """One passage in the final ranking, with where it comes from."""

    chunk_id: str
    document_id: str | None
    document_title: str
    content: str
    heading_path: list[str]
    page: int | None
    score: float
    stream: StreamName
    stale: bool = Field(description='Its document is past its "valid until" date (ranked lower, still returned)')
    source_url: str | None

    @classmethod
    def of(cls, result: RankedResult) -> SearchResult:
        c = result.candidate
        return cls(
            chunk_id=c.chunk_id,
            document_id=c.document_id,
            document_title=c.document_title,
            content=c.content,
            heading_path=list(c.heading_path),
            page=c.page,
            score=round(result.score, 4),
            stream=c.stream,
            stale=result.stale,
            source_url=c.source_url,
        )


class EnhancedQueryPublic(BaseModel):
    """The fast model's rewrite of the query: every non-empty variant was searched besides the original."""

    expanded_query: str
    alternatives: list[str]
    entities: list[str]
    cached: bool

    @classmethod
    def of(cls, enhanced: EnhancedQuery) -> EnhancedQueryPublic:
        return cls(
            expanded_query=enhanced.expanded_query,
            alternatives=list(enhanced.alternatives),
            entities=list(enhanced.entities),
            cached=enhanced.cached,
        )


class StreamReportPublic(BaseModel):
    """How one retrieval stream went."""

    status: StreamStatus
    found: int
    error: str | None

    @classmethod
    def of(cls, report: StreamReport) -> StreamReportPublic:
        return cls(status=report.status, found=report.found, error=report.error)


class SearchResponse(BaseModel):
    """The `POST /api/v1/search` body (API.md), plus each stream's status."""

    results: list[SearchResult]
    enhanced_query: EnhancedQueryPublic | None
    timings_ms: dict[str, float] = Field(
        description="referenced, general, urls, business_context, rerank, total, enhance, embed; enhance_timeout "
        "(the limit, in ms) only when query enhancement ran out of time"
    )
    streams: dict[StreamName, StreamReportPublic]
    enhancement: EnhancementStatus = Field(
        default="off", description="off, ok, cached, timeout (the original query was searched alone) or failed"
    )

    @classmethod
    def of(cls, response: RetrievalResponse) -> SearchResponse:
        return cls(
            results=[SearchResult.of(r) for r in response.results],
            enhanced_query=EnhancedQueryPublic.of(response.enhanced_query) if response.enhanced_query else None,
            timings_ms={name: round(ms, 1) for name, ms in response.timings_ms.items()},
            streams={name: StreamReportPublic.of(report) for name, report in response.streams.items()},
            enhancement=response.enhancement,
        )


class KeyFactCreate(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class KeyFactPublic(BaseModel):
    """A fact pinned to a space."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    text: str
    created_by: uuid.UUID | None
    created_at: datetime


__all__ = [
    "EnhancedQueryPublic",
    "KeyFactCreate",
    "KeyFactPublic",
    "SearchRequest",
    "SearchResponse",
    "SearchResult",
    "StreamReportPublic",
]
