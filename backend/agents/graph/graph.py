"""The graph: retrieve → think → act → check, and the edges that end it.

    retrieve ─▶ think ─┬─ act ─▶ check ─┬─ continue ─────▶ think
                       │                ├─ more_context ─▶ retrieve
                       ├─ complete ─┐   ├─ complete ─────┐
                       └─ error ────┤   ├─ max_iterations┤
                                    │   ├─ contaminated ─┤
                                    │   └─ error ────────┤
                                    └────────────────────┴─▶ finish ─▶ END

Everything a run uses is injected: `build_graph(*, llm, fast_llm, retriever, tools, checkpointer)` compiles a
graph around given parts (tests, scripts). Runs use `graph_on(checkpointer)`: one graph compiled once per
process (`shared_graph`, 17-40 ms saved per run) whose nodes take the run's models, retriever and tools from
the runtime context (`AgentContext.parts`), like its scope and config; the topology does not depend on the
agent, so one compiled graph serves every agent and every space, and holds nothing of any run. The cap
on cycles is the agent's `max_iterations` (from the runtime context); the recursion limit of a run
(`recursion_limit`) bounds the steps even if a routing bug ever looped.
"""

from __future__ import annotations

import functools
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import get_runtime

from backend.agents.graph import routing
from backend.agents.graph.context import AgentContext, Retriever
from backend.agents.graph.nodes import Nodes
from backend.agents.graph.state import AgentState
from backend.agents.tools.base import AgentTool

STEPS_PER_ITERATION = 3  # think, act, check


def recursion_limit(max_iterations: int) -> int:
    """Graph steps a run may take: every cycle, the retrievals between them, the start and the end."""
    return max_iterations * (STEPS_PER_ITERATION + 1) + 4


def _after_check(state: AgentState) -> routing.CheckRoute:
    context: AgentContext = get_runtime(AgentContext).context
    return routing.after_check(state, context.config.max_iterations)


def build_graph(
    *,
    llm: BaseChatModel,
    fast_llm: BaseChatModel,
    retriever: Retriever,
    tools: dict[str, AgentTool],
    checkpointer: BaseCheckpointSaver[Any] | None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    nodes = Nodes(llm=llm, fast_llm=fast_llm, retriever=retriever, tools=tools)
    return _compiled(nodes, checkpointer)


@functools.cache
def shared_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    """The graph every run uses, compiled once: its nodes hold no parts (they read `AgentContext.parts`) and it
    has no checkpointer (each run gets a copy bound to its own, `graph_on`)."""
    return _compiled(Nodes(), None)


def graph_on(checkpointer: BaseCheckpointSaver[Any] | None) -> CompiledStateGraph[Any, Any, Any, Any]:
    """The shared graph with a run's checkpointer (a shallow copy: nothing is compiled again)."""
    return shared_graph().copy(update={"checkpointer": checkpointer})


def _compiled(nodes: Nodes, checkpointer: BaseCheckpointSaver[Any] | None) -> CompiledStateGraph[Any, Any, Any, Any]:
    graph = StateGraph(AgentState, context_schema=AgentContext)
    graph.add_node("retrieve", nodes.retrieve)
    graph.add_node("think", nodes.think)
    graph.add_node("act", nodes.act)
    graph.add_node("check", nodes.check)
    graph.add_node("finish", nodes.finish)
    graph.add_edge(START, "retrieve")
    graph.add_conditional_edges("retrieve", routing.after_retrieve, {"think": "think", "error": "finish"})
    graph.add_conditional_edges("think", routing.after_think, {"act": "act", "complete": "finish", "error": "finish"})
    graph.add_edge("act", "check")
    graph.add_conditional_edges(
        "check",
        _after_check,
        {
            "continue": "think",
            "more_context": "retrieve",
            "complete": "finish",
            "max_iterations": "finish",
            "contaminated": "finish",
            "error": "finish",
        },
    )
    graph.add_edge("finish", END)
    return graph.compile(checkpointer=checkpointer, name="obelisk-agent")


__all__ = ["build_graph", "graph_on", "recursion_limit", "shared_graph"]
