"""(placeholder until the tools branch merges)"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from backend.agents.tools.base import DocumentInfo, PageInfo, Passage, ToolEnv
from backend.tenancy.context import SpaceContext


async def space_tool_env(ctx: SpaceContext, *, allowed_urls: Iterable[str] = (), retriever: Any = None) -> ToolEnv:
    async def search(query: str, tags: tuple[str, ...], top_k: int) -> list[Passage]:
        return []

    async def fetch_page(url: str) -> PageInfo:
        raise RuntimeError("no fetch")

    async def list_documents() -> list[DocumentInfo]:
        return []

    async def past_subjects() -> list[str]:
        return []

    return ToolEnv(
        ctx.scope, dict(ctx.brand_voice), search, fetch_page, list_documents, past_subjects, frozenset(allowed_urls)
    )
