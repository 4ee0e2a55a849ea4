"""What retrieval takes and returns: the request, candidates, ranked results with their citation, timings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal

StreamName = Literal["referenced", "general", "urls", "business_context"]
STREAMS: tuple[StreamName, ...] = ("referenced", "general", "urls", "business_context")
StreamStatus = Literal["ok", "skipped", "timeout", "error"]

DEFAULT_TOP_K = 8
MAX_TOP_K = 100


@dataclass(frozen=True, slots=True)
class RetrievalRequest:
    """One search. Document ids and URLs come from the user's message (or the API); tags from the agent."""

    query: str
    document_ids: tuple[uuid.UUID, ...] = ()
    """Documents the user named (@-mentions): the referenced stream searches inside them."""
    urls: tuple[str, ...] = ()
    """Pages to read now, besides the URLs written in the query itself."""
    tags: tuple[str, ...] = ()
    """The agent's collections: the general stream searches only documents with at least one of these tags."""
    top_k: int = DEFAULT_TOP_K
    enhance: bool | None = None
    """Query enhancement on or off for this search; None follows the QUERY_ENHANCEMENT setting."""


@dataclass(frozen=True, slots=True)
class EnhancedQuery:
    """The fast model's rewrite of a query: every non-empty variant is searched besides the original."""

    expanded_query: str = ""
    alternatives: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    cached: bool = False

    def variants(self) -> list[str]:
        """The texts to search besides the original: the expansion first, then the alternative phrasings."""
        return [v for v in (self.expanded_query, *self.alternatives) if v]

    def to_dict(self) -> dict[str, Any]:
        return {
            "expanded_query": self.expanded_query,
            "alternatives": list(self.alternatives),
            "entities": list(self.entities),
            "cached": self.cached,
        }


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage a stream found, with the signals the reranker weighs."""

    chunk_id: str
    content: str
    content_hash: str
    stream: StreamName
    document_id: str | None = None
    document_title: str = ""
    heading_path: tuple[str, ...] = ()
    page: int | None = None
    source_url: str | None = None
    vector_similarity: float | None = None
    """Cosine similarity to the original query's vector (None when the passage has no vector)."""
    keyword_score: float | None = None
    """BM25 score of the passage for the query (None when no query term matched)."""
    fused: float = 0.0
    """Reciprocal-rank-fusion score inside its stream (orders the stream's own list)."""
    valid_until: date | None = None
    updated_at: datetime | None = None
    pinned: bool = False
    """Business context: always returned, after the ranked passages, never cut by top_k."""
    kind: str = "text"
    """The chunk's kind: text, table or image (an image's content is its caption)."""
    visual_similarity: float | None = None
    """Images found by the visual leg: cosine similarity of the picture to the query (multimodal model)."""
    scan_version: str | None = None
    """A stored chunk's injection verdict: the detector version that gave it (None for what is not a stored
    chunk: fetched pages, business context). Search never returns a quarantined chunk, so that verdict was
    clean, or an admin released the chunk (`released`)."""
    released: bool = False
    """An admin released the chunk from quarantine: the detector flagged it, a person judged it safe."""

    def merged_with(self, other: Candidate) -> Candidate:
        """This candidate carrying the stronger signals of `other` (a copy of the same text)."""
        return replace(
            self,
            vector_similarity=_max(self.vector_similarity, other.vector_similarity),
            keyword_score=_max(self.keyword_score, other.keyword_score),
            visual_similarity=_max(self.visual_similarity, other.visual_similarity),
            fused=max(self.fused, other.fused),
        )


def _max(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    return a if b is None else max(a, b)


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a passage comes from, as an answer cites it."""

    chunk_id: str
    document_id: str | None
    document_title: str
    page: int | None
    heading_path: tuple[str, ...]
    source_url: str | None
    stream: StreamName

    def label(self) -> str:
        """`Title › Section › Subsection, p. 4` for a footnote."""
        parts = [self.document_title or self.source_url or "Source", *self.heading_path]
        text = " › ".join(p for p in parts if p)
        return f"{text}, p. {self.page}" if self.page else text


@dataclass(frozen=True, slots=True)
class RankedResult:
    """A passage in the final ranking."""

    candidate: Candidate
    score: float
    stale: bool = False
    """Its document is past its "valid until" date: still returned, ranked lower, and flagged."""

    @property
    def citation(self) -> Citation:
        c = self.candidate
        return Citation(c.chunk_id, c.document_id, c.document_title, c.page, c.heading_path, c.source_url, c.stream)


@dataclass(slots=True)
class StreamReport:
    """How one stream went: its status, wall time and (for the logs and the UI) what went wrong."""

    status: StreamStatus = "skipped"
    ms: float = 0.0
    found: int = 0
    error: str | None = None


EnhancementStatus = Literal["off", "ok", "cached", "timeout", "failed"]
"""What became of query enhancement: not asked for, answered (or served from the cache), out of time, failed."""


@dataclass(slots=True)
class RetrievalResponse:
    """The ranked passages, the business context, the enhanced query and where the time went."""

    results: list[RankedResult]
    enhanced_query: EnhancedQuery | None
    streams: dict[StreamName, StreamReport]
    timings_ms: dict[str, float] = field(default_factory=dict)
    enhancement: EnhancementStatus = "off"

    @property
    def citations(self) -> list[Citation]:
        return [r.citation for r in self.results]

    def passages(self) -> Sequence[RankedResult]:
        """The ranked document passages (without the pinned business context)."""
        return [r for r in self.results if not r.candidate.pinned]


__all__ = [
    "DEFAULT_TOP_K",
    "MAX_TOP_K",
    "STREAMS",
    "Candidate",
    "Citation",
    "EnhancedQuery",
    "EnhancementStatus",
    "RankedResult",
    "RetrievalRequest",
    "RetrievalResponse",
    "StreamName",
    "StreamReport",
    "StreamStatus",
]
