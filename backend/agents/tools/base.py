"""(placeholder until the tools branch merges: the interface only)"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from backend.core.db import TenantScope


@dataclass(frozen=True, slots=True)
class Passage:
    chunk_id: str
    document_id: str | None
    document_title: str
    heading_path: tuple[str, ...]
    page: int | None
    content: str
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class PageInfo:
    url: str
    title: str | None
    text: str


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    id: str
    title: str
    tags: tuple[str, ...]
    source_url: str | None


@dataclass(frozen=True)
class ToolEnv:
    scope: TenantScope | None
    brand_voice: dict[str, Any]
    search: Callable[[str, tuple[str, ...], int], Awaitable[list[Passage]]]
    fetch_page: Callable[[str], Awaitable[PageInfo]]
    list_documents: Callable[[], Awaitable[list[DocumentInfo]]]
    past_subjects: Callable[[], Awaitable[list[str]]]
    allowed_urls: frozenset[str] = frozenset()
    analytics: Callable[..., Awaitable[Any]] | None = None


class ToolError(Exception):
    pass


@dataclass(frozen=True)
class ToolOutcome:
    tool: str
    ok: bool
    result: dict[str, Any] | None
    error: str | None
    sources: tuple[Passage, ...] = ()

    def render(self, limit: int = 4000) -> str:
        text = json.dumps(self.result, default=str) if self.ok else f"error: {self.error}"
        return text[:limit]


@dataclass(frozen=True)
class AgentTool:
    name: str
    description: str
    args_model: type[BaseModel]
    run: Callable[[ToolEnv, Any], Awaitable[BaseModel]]
    fetches_urls: bool = False

    async def __call__(self, env: ToolEnv, args: dict[str, Any]) -> ToolOutcome:
        if env.scope is None:
            raise RuntimeError("tools need a scope")
        try:
            parsed = self.args_model.model_validate(args)
        except ValidationError as exc:
            return ToolOutcome(self.name, False, None, f"bad arguments: {exc.errors()[0]['msg']}")
        try:
            result = await self.run(env, parsed)
        except ToolError as exc:
            return ToolOutcome(self.name, False, None, str(exc))
        return ToolOutcome(self.name, True, result.model_dump(mode="json"), None)
