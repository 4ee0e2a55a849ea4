"""Each agent end to end on the local Qwen2.5-Coder-1.5B: its decisions under JSON-schema grammars, its own tools,
and a draft grounded in the space's passages (quality aside: this proves the loop works on a weak model)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from backend.agents.configs import DEFAULTS
from backend.agents.graph.context import AgentContext
from backend.agents.graph.graph import build_graph, recursion_limit
from backend.agents.graph.state import initial_input
from backend.agents.tools import TOOLS
from backend.agents.tools.base import DocumentInfo, PageInfo, Passage, ToolEnv, ToolError
from backend.core.db import TenantScope
from backend.models.chat_local import LocalChatModel
from backend.models.local_engine import LocalEngine
from backend.models.resilience import CircuitBreaker, ModelGuard, RetryPolicy

from .conftest import PreparedQwen

SCOPE = TenantScope(uuid.uuid4(), uuid.uuid4())
PASSAGES = [
    Passage(
        "c1",
        "d1",
        "Halcyon launch brief",
        ("Product",),
        None,
        "The Halcyon smart thermostat cuts heating bills by 18% in our field trial. It costs 149 euros.",
    ),
    Passage(
        "c2",
        "d2",
        "Brand book",
        ("Voice",),
        None,
        "We write warmly and plainly. Say customers, not users. Avoid the word revolutionary.",
    ),
    Passage(
        "c3",
        "d3",
        "Competitor notes",
        ("Thermo Max",),
        None,
        "Thermo Max sells a thermostat for 199 euros and promises savings of up to 10%.",
    ),
]
REQUESTS = {
    "seo": "Suggest keywords and a page title for the Halcyon thermostat launch page.",
    "email": "Write a launch email for the Halcyon thermostat with a subject line.",
    "brand": "Check this line against our voice: 'Our revolutionary thermostat helps users save.'",
    "strategy": "Plan two weeks of launch content for the Halcyon thermostat.",
}


CANARY, BOUNDARY = "OBK-5e1f0a2b9c7d", "7d3a91c4"


class Retriever:
    async def __call__(self, scope: TenantScope, query: str, **_: Any) -> list[Passage]:
        assert scope == SCOPE
        return PASSAGES


def _env() -> ToolEnv:
    async def search(query: str, tags: tuple[str, ...], top_k: int) -> list[Passage]:
        return PASSAGES[:top_k]

    async def fetch_page(url: str) -> PageInfo:
        raise ToolError("no pages in this test")

    async def documents() -> list[DocumentInfo]:
        return [DocumentInfo(p.document_id or "", p.document_title, (), None) for p in PASSAGES]

    async def subjects() -> list[str]:
        return ["Meet Halcyon"]

    return ToolEnv(
        SCOPE, {"tone": "warm, plain", "banned_terms": ["revolutionary"]}, search, fetch_page, documents, subjects
    )


@pytest.fixture(scope="module")
def qwen_model(qwen: PreparedQwen) -> Iterator[LocalChatModel]:
    engine = LocalEngine(qwen.spec, ctx_per_slot=4096, slots=1, threads=2, cache_mib=0)
    yield LocalChatModel(
        model_name=qwen.spec.label,
        engine=engine,
        temperature=0.0,
        max_tokens=160,
        guard=ModelGuard("local", CircuitBreaker("local:qwen-agents"), timeout=900, retry=RetryPolicy(0)),
    )
    engine.close()


@pytest.mark.parametrize("agent", ["seo", "email", "brand", "strategy"])
async def test_agent_writes_a_grounded_draft_on_qwen(qwen_model: LocalChatModel, agent: str) -> None:
    graph = build_graph(
        llm=qwen_model, fast_llm=qwen_model, retriever=Retriever(), tools=TOOLS, checkpointer=InMemorySaver()
    )
    config = replace(DEFAULTS[agent], max_iterations=2)  # type: ignore[index]
    # Fixed per-run secrets: at temperature 0 the prompt, and so the draft, is the same on every run.
    context = AgentContext(scope=SCOPE, config=config, tool_env=_env(), canary=CANARY, boundary=BOUNDARY)
    run_config: Any = {
        "configurable": {"thread_id": f"{SCOPE.space_id}:{uuid.uuid4()}"},
        "recursion_limit": recursion_limit(2),
    }
    events = [
        e
        async for e in graph.astream(
            initial_input(REQUESTS[agent], run_id="r", document_ids=[]),
            run_config,
            context=context,
            stream_mode="custom",
        )
    ]
    done = events[-1]
    assert done["type"] == "complete", events[-3:]
    payload = done["payload"]
    assert payload["stop_reason"] in ("completed", "max_iterations"), payload
    assert len(payload["message"]) > 40 and "token" in [e["type"] for e in events]
    calls = [e["payload"] for e in events if e["type"] == "tool_call"]
    used = [e["payload"] for e in events if e["type"] == "tool_result" and e["payload"]["ok"]]
    # Grounded: linked to the team's sources, or built on a tool's result, or its factual sentences reported as
    # unsupported.
    assert payload["citations"] or used or payload["unsupported_claims"], f"{agent}: {payload['message'][:300]}"
    assert all(c["tool"] in config.tools for c in calls), calls
