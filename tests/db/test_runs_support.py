"""Helpers of the runs tests (no tests here): spaces, conversations, scripted models, a slow stream."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from sqlalchemy import text

from backend.agents import service as agents
from backend.agents.schemas import ConversationCreate
from backend.agents.tools.base import DocumentInfo, PageInfo, Passage, ToolEnv
from backend.core.db import Database, TenantScope
from backend.models.chat_fake import FakeChatModel, ScriptItem, make_fake_chat
from backend.models.resilience import CircuitBreaker, ModelGuard, RetryPolicy
from backend.runs import executor
from backend.tenancy.context import SpaceContext
from tests.db.conftest import space_context
from tests.support.tenants import new_tenant

FACT = Passage("c1", "d1", "Annual report", ("Results",), 3, "Acme grew revenue by 40% in 2025 across Europe.")
PLAN = [{"action": "write_answer", "tool": "none"}, {"complete": True}]
"""The fast model's script for one turn: decide to write, then judge the answer complete."""


async def sibling_space(db: Database, ctx: SpaceContext, name: str = "Second") -> SpaceContext:
    """Another space of the same organization (isolation must hold inside one organization too)."""
    space = uuid.uuid4()
    async with db.session(organization_id=ctx.organization_id) as session:
        await session.execute(
            text("INSERT INTO spaces (id, organization_id, name) VALUES (:id, :org, :name)"),
            {"id": space, "org": ctx.organization_id, "name": name},
        )
    return space_context(ctx.organization_id, space)


async def conversation(ctx: SpaceContext, agent: str = "seo") -> uuid.UUID:
    return (await agents.create_conversation(ctx, ConversationCreate(agent=agent))).id  # type: ignore[arg-type]


def tool_env(scope: TenantScope) -> ToolEnv:
    async def search(query: str, tags: tuple[str, ...], top_k: int) -> list[Passage]:
        return []

    async def fetch_page(url: str) -> PageInfo:
        raise AssertionError("no fetching here")

    async def documents() -> list[DocumentInfo]:
        return []

    async def subjects() -> list[str]:
        return []

    return ToolEnv(scope, {}, search, fetch_page, documents, subjects)


class FixedRetriever:
    def __init__(self, scope: TenantScope) -> None:
        self.scope = scope

    async def __call__(self, scope: TenantScope, query: str, **_: Any) -> list[Passage]:
        assert scope == self.scope
        return [FACT]


class SlowStreamChat(FakeChatModel):
    """A scripted model that streams one word every `pause` seconds (a long answer takes a while)."""

    pause: float = 0.01

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._chunks(self._reply(messages, kwargs)):
            yield chunk
            await asyncio.sleep(self.pause)


def slow_chat(responses: Sequence[ScriptItem], pause: float) -> SlowStreamChat:
    guard = ModelGuard("fake", CircuitBreaker("fake:slow"), timeout=60.0, retry=RetryPolicy(max_retries=0))
    return SlowStreamChat(responses=list(responses), role="main", guard=guard, pause=pause)


def turn_options(scope: TenantScope, llm: Any, fast: Any | None = None) -> dict[str, Any]:
    """What the executor passes to `run_turn` in tests: scripted models, a fixed retriever, no tools."""
    return {
        "llm": llm,
        "fast_llm": fast or make_fake_chat(PLAN, role="fast"),
        "retriever": FixedRetriever(scope),
        "tools": {},
        "tool_env": tool_env(scope),
    }


async def execute(ctx: SpaceContext, run_id: uuid.UUID, llm: Any, fast: Any | None = None) -> str | None:
    """Execute a run directly (no worker), as the user who started it."""

    async def as_starter(scope: TenantScope, user_id: uuid.UUID) -> SpaceContext:
        return ctx

    return await executor.execute_run(
        ctx.scope, run_id, load_context=as_starter, **turn_options(ctx.scope, llm, fast)
    )


__all__ = [
    "FACT",
    "PLAN",
    "FixedRetriever",
    "SlowStreamChat",
    "conversation",
    "execute",
    "sibling_space",
    "slow_chat",
    "tool_env",
    "turn_options",
]


async def create_space(db: Database, organization_name: str) -> SpaceContext:
    """A signed-up organization's owner in its first space (`db` is the database the test installed)."""
    return await (await new_tenant(organization_name, organization_name)).context()
