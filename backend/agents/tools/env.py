"""The real `ToolEnv` of a run: one space's retrieval, safe page reading, document list and brand voice.

- search: the space's `ParallelRetriever` with the agent's tags and top_k, query enhancement off (a tool's
  searches must be repeatable, and one fast-model call per tool search would multiply a run's cost); model
  usage is booked to the run's meter when there is one, else to the space (`retrieval.service.search`). Only
  ranked document passages come back, not the pinned business context. Quarantined chunks never get here:
  every retrieval leg filters `NOT c.quarantined` in SQL (`backend.retrieval.queries`), so nothing is
  filtered again. A search of the brand guidelines (the `brand_guidelines` tag) also searches the guideline
  documents the space's brand voice links, tagged or not, and puts their passages first: the voice tools and
  the content score read the rules the team pointed at before any other.
- fetch_page: `backend.documents.fetch.fetch_url` (http(s) only, private addresses refused at every hop, one
  deadline, a size cap), then the same conversion ingestion uses, as Markdown. Blocks that look like prompt
  injection are dropped, as the retriever's URL stream drops such chunks.
- analytics: the space's GA4 (`analytics.service.tool_analytics`), None when it has no connection with a
  property; the tools then say that GA4 is not connected.
- own_content: the space's published items linked to their URL, with their GA4 figures since publication,
  from the provider a higher layer registered with `register_own_content_provider` (the content domain, rank 8,
  registers its own at import time; agents, rank 7, may not import it). The provider is given the caller's
  `SpaceContext` and nothing else, so it reads that space only; without a provider the slot is None and the
  tools say the team's content is not available.
- allowed_urls: the URLs the caller passes (from the user's message) plus the source URLs of the space's
  own documents (its newest MAX_DOCUMENTS ready ones), which the team gave when it added them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any

from backend.agents.tools.base import DocumentInfo, OwnContent, PageInfo, Passage, ToolEnv
from backend.analytics import service as analytics_service
from backend.core.config import Settings, get_settings
from backend.documents import service as documents_service
from backend.documents.conversion.isolated import convert_fetched
from backend.documents.fetch import FetchedPage, fetch_url
from backend.models.accounting import current_meter
from backend.retrieval import service as retrieval_service
from backend.retrieval.retriever import ParallelRetriever
from backend.retrieval.types import MAX_TOP_K, RankedResult
from backend.safety.contamination import ContaminationDetector
from backend.tenancy.brand_voice import GUIDELINE_DOCUMENTS
from backend.tenancy.context import SpaceContext

GUIDELINES_TAG = "brand_guidelines"
MAX_PAGE_CHARS = 100_000
"""A fetched page is read up to here (a tool needs its headings and body, not an archive)."""
MAX_DOCUMENTS = 500
_detector = ContaminationDetector()

OwnContentProvider = Callable[[SpaceContext], Awaitable[OwnContent]]
"""Reads ONE space's published items with their GA4 figures: the space of the context it is given."""
_own_content: list[OwnContentProvider] = []


def register_own_content_provider(provider: OwnContentProvider | None) -> None:
    """Fill the tools' `own_content` slot (the last registration wins; None empties it).

    Called at import time by the layer that owns content items (`backend.content.performance`), which the
    process loads with its task modules (`backend.tasks`), so the web process and the worker both have it.
    """
    _own_content.clear()
    if provider is not None:
        _own_content.append(provider)


def own_content_provider() -> OwnContentProvider | None:
    """The registered provider, if any."""
    return _own_content[-1] if _own_content else None


def passage_from(result: RankedResult) -> Passage:
    """A ranked retrieval result as the passage a tool uses and the graph cites."""
    c = result.candidate
    return Passage(
        chunk_id=c.chunk_id,
        document_id=c.document_id,
        document_title=c.document_title,
        heading_path=tuple(c.heading_path),
        page=c.page,
        content=c.content,
        source_url=c.source_url,
    )


def page_markdown(blocks: Iterable[object]) -> tuple[str, int]:
    """Converted blocks as Markdown (a heading of level n, where 0 is the page's H1, gets n + 1 `#`), with
    blocks that look like prompt injection left out; returns the text and how many blocks were dropped."""
    lines: list[str] = []
    dropped = 0
    for block in blocks:
        kind, text = getattr(block, "kind", "paragraph"), str(getattr(block, "text", "") or "").strip()
        if not text:
            continue
        if _detector.scan_document(text).contaminated:
            dropped += 1
            continue
        if kind == "heading":
            level = min(6, int(getattr(block, "level", 0)) + 1)
            lines.append(f"{'#' * level} {' '.join(text.split())}")
        else:
            lines.append(text)
    return "\n\n".join(lines)[:MAX_PAGE_CHARS], dropped


async def _convert(fetched: FetchedPage, settings: Settings) -> tuple[str | None, str]:
    converted = await convert_fetched(fetched, settings=settings)  # off the loop; Markdown in its own process
    text, _ = await asyncio.to_thread(page_markdown, converted.blocks)
    return converted.title or fetched.title, text


async def space_tool_env(
    ctx: SpaceContext, *, allowed_urls: Iterable[str] = (), retriever: ParallelRetriever | None = None
) -> ToolEnv:
    """The tools' view of the caller's space. Raises (RuntimeError) without a space, like the retriever."""
    if not isinstance(ctx, SpaceContext):
        raise RuntimeError("space_tool_env needs the caller's SpaceContext")
    bound = retriever or ParallelRetriever(ctx)
    settings = get_settings()
    linked = [str(i) for i in (ctx.brand_voice or {}).get(GUIDELINE_DOCUMENTS) or []]

    async def search(query: str, tags: tuple[str, ...], top_k: int) -> list[Passage]:
        top_k = max(1, min(MAX_TOP_K, top_k))
        ids = linked if GUIDELINES_TAG in tags else []
        options: dict[str, Any] = {"document_ids": ids} if ids else {}
        if current_meter() is not None:
            # Inside a run: its meter (which carries the run id) books the embedding calls.
            response = await bound.retrieve(query, tags=tags, top_k=top_k, enhance=False, **options)
        else:
            response = await retrieval_service.search(
                ctx, query, tags=tags, top_k=top_k, enhance=False, retriever=bound, **options
            )
        found = [passage_from(r) for r in response.passages()]
        return sorted(found, key=lambda p: p.document_id not in ids) if ids else found

    async def fetch_page(url: str) -> PageInfo:
        fetched = await fetch_url(url, settings=settings)
        title, text = await _convert(fetched, settings)
        return PageInfo(url=url, title=title, text=text)

    async def list_documents() -> list[DocumentInfo]:
        rows, _ = await documents_service.list_documents(ctx, status="ready", limit=MAX_DOCUMENTS)
        return [DocumentInfo(str(d.id), d.title, tuple(d.tags or ()), d.source_url) for d in rows]

    async def past_subjects() -> list[str]:
        """Earlier email subjects of the space: none yet. Content items arrive with the Content issue, which
        will read the subjects of the space's email versions here."""
        return []

    # Read at once, and only what the URL list needs (not the documents whole, nor their count): a run reads
    # this before its graph runs.
    sources, analytics = await asyncio.gather(
        documents_service.ready_source_urls(ctx, limit=MAX_DOCUMENTS), analytics_service.tool_analytics(ctx)
    )
    provider = own_content_provider()
    given = {u.strip() for u in allowed_urls if u and u.strip()}
    given |= set(sources)
    return ToolEnv(
        scope=ctx.scope,
        brand_voice=dict(ctx.brand_voice or {}),
        search=search,
        fetch_page=fetch_page,
        list_documents=list_documents,
        past_subjects=past_subjects,
        allowed_urls=frozenset(given),
        analytics=analytics,
        own_content=partial(provider, ctx) if provider is not None else None,
    )


__all__ = [
    "OwnContentProvider",
    "own_content_provider",
    "page_markdown",
    "passage_from",
    "register_own_content_provider",
    "space_tool_env",
]
