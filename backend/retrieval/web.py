"""Pages named in a message, read for one conversation: fetched with the ingestion pipeline's safe URL path
(`fetch_url`, then the same conversion and chunking), scanned for prompt injection, embedded, and cached per
space. They are never stored as documents.

A page that takes longer than the URL stream's time limit keeps loading in the background and lands in the
cache, so the next message about it finds it ready; two searches naming the same page share one fetch.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import asdict, dataclass
from typing import Any

from backend.core.cache import Cache, get_json, set_json
from backend.core.config import Settings
from backend.core.db import TenantScope
from backend.documents.chunking import chunk_document
from backend.documents.conversion.isolated import convert_fetched
from backend.documents.scanning import scan_chunk
from backend.models.embeddings import Embedder

logger = logging.getLogger(__name__)

MAX_PAGE_CHUNKS = 64
"""Chunks of one page that are embedded (in reading order): a long page is read up to here."""
_inflight: dict[str, asyncio.Task[LoadedPage]] = {}


@dataclass(frozen=True, slots=True)
class PageChunk:
    content: str
    heading_path: tuple[str, ...]
    page: int | None
    content_hash: str
    vector: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class LoadedPage:
    """A fetched page's safe chunks with their vectors."""

    url: str
    title: str
    model_id: str
    chunks: tuple[PageChunk, ...]
    dropped: int = 0
    """Chunks left out because they looked like prompt injection."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LoadedPage:
        chunks = tuple(
            PageChunk(c["content"], tuple(c["heading_path"]), c["page"], c["content_hash"], tuple(c["vector"]))
            for c in data["chunks"]
        )
        return cls(data["url"], data["title"], data["model_id"], chunks, int(data.get("dropped", 0)))


def cache_key(scope: TenantScope, url: str) -> str:
    """Per space: a page read for one space is never served to another (it may be behind its login)."""
    return f"retrieval:url:{scope.key()}:{hashlib.sha256(url.encode('utf-8')).hexdigest()[:40]}"


async def load_page(
    scope: TenantScope, url: str, *, embedder: Embedder, cache: Cache, settings: Settings, fetch: Any = None
) -> LoadedPage:
    """The page at `url` as chunks with vectors: from the space's cache, or fetched now (one fetch at a time
    per space and URL). Raises the fetch's typed error (private address, too large, unreachable...)."""
    key = cache_key(scope, url)
    cached = await get_json(cache, key)
    if isinstance(cached, dict) and cached.get("model_id") == embedder.model_id:
        return LoadedPage.from_json(cached)
    task = _inflight.get(key)
    if task is None or task.done():
        task = asyncio.ensure_future(_load(key, url, embedder, cache, settings, fetch))
        _inflight[key] = task
        task.add_done_callback(lambda done: _forget(key, done))
    return await asyncio.shield(task)


def _forget(key: str, task: asyncio.Task[LoadedPage]) -> None:
    if _inflight.get(key) is task:
        del _inflight[key]
    if not task.cancelled() and task.exception() is not None:
        logger.info("page could not be read", extra={"error": str(task.exception())[:200]})


async def _load(key: str, url: str, embedder: Embedder, cache: Cache, settings: Settings, fetch: Any) -> LoadedPage:
    if fetch is None:
        from backend.documents.fetch import fetch_url as fetch
    fetched = await fetch(url, settings=settings)
    converted = await convert_fetched(fetched, settings=settings)  # Markdown in its own process
    chunks = await asyncio.to_thread(
        chunk_document, converted, max_tokens=embedder.max_input_tokens, count_tokens=embedder.count_tokens
    )
    # The page's title reaches the model with every passage: an instruction hidden in it costs the title
    # (the address stands in), an instruction in a passage or its headings costs that passage.
    title = converted.title or fetched.title or url
    if title != url and scan_chunk("", (), title).contaminated:
        logger.info("page title withheld: it reads as an instruction", extra={"url": url[:200]})
        title = url
    safe = [c for c in chunks if not scan_chunk(c.content, c.heading_path, None).contaminated]
    kept = safe[:MAX_PAGE_CHUNKS]
    vectors = await embedder.embed_documents([c.embed_text for c in kept]) if kept else []
    page = LoadedPage(
        url=url,
        title=title[:300],
        model_id=embedder.model_id,
        chunks=tuple(
            PageChunk(c.content, tuple(c.heading_path), c.page, c.content_hash, tuple(v))
            for c, v in zip(kept, vectors, strict=True)
        ),
        dropped=len(chunks) - len(safe),
    )
    if page.dropped:
        logger.warning("page chunks dropped as possible prompt injection", extra={"dropped": page.dropped})
    await set_json(cache, key, page.to_json(), settings.retrieval_url_cache_seconds)
    return page


__all__ = ["MAX_PAGE_CHUNKS", "LoadedPage", "PageChunk", "cache_key", "load_page"]
