"""A fake in-memory space for the tools: passages by tag, pages by URL, documents and past subjects.

Search ranks passages by term overlap with the query (as a toy stand-in for the retriever) and records every
call, so tests can assert which collections a tool searched.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from backend.agents.tools.base import DocumentInfo, PageInfo, Passage, ToolEnv, ToolError
from backend.core.db import TenantScope
from backend.retrieval.text import overlap, terms


def passage(chunk_id: str, content: str, *, title: str = "Doc", doc: str | None = None, heading: str = "") -> Passage:
    return Passage(
        chunk_id=chunk_id,
        document_id=doc or f"doc-{chunk_id}",
        document_title=title,
        heading_path=(heading,) if heading else (),
        page=None,
        content=content,
    )


@dataclass
class FakeSpace:
    by_tag: dict[str, list[Passage]] = field(default_factory=dict)
    pages: dict[str, PageInfo] = field(default_factory=dict)
    documents: list[DocumentInfo] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    voice: dict[str, Any] = field(default_factory=dict)
    searches: list[tuple[str, tuple[str, ...], int]] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)

    def add(self, tag: str, *passages: Passage) -> None:
        self.by_tag.setdefault(tag, []).extend(passages)

    async def search(self, query: str, tags: tuple[str, ...], top_k: int) -> list[Passage]:
        self.searches.append((query, tags, top_k))
        pool = [p for tag, ps in self.by_tag.items() if not tags or tag in tags for p in ps]
        wanted = terms(query)
        scored = [(overlap(wanted, p.content + " " + p.document_title), p) for p in pool]
        ranked = [p for s, p in sorted(scored, key=lambda item: -item[0]) if s > 0]
        unique = list({p.chunk_id: p for p in ranked}.values())
        return unique[:top_k]

    async def fetch_page(self, url: str) -> PageInfo:
        self.fetched.append(url)
        if url not in self.pages:
            raise ToolError(f"{url} could not be read: the server answered 404.")
        return self.pages[url]

    async def list_documents(self) -> list[DocumentInfo]:
        return list(self.documents)

    async def past_subjects(self) -> list[str]:
        return list(self.subjects)

    def env(
        self, *, allowed: tuple[str, ...] = (), scoped: bool = True, analytics: Any = None, own_content: Any = None
    ) -> ToolEnv:
        scope = TenantScope(uuid.uuid4(), uuid.uuid4()) if scoped else None
        return ToolEnv(
            scope=scope,
            brand_voice=self.voice,
            search=self.search,
            fetch_page=self.fetch_page,
            list_documents=self.list_documents,
            past_subjects=self.past_subjects,
            allowed_urls=frozenset(allowed),
            analytics=analytics,
            own_content=own_content,
        )


@pytest.fixture
def space() -> FakeSpace:
    return FakeSpace()
