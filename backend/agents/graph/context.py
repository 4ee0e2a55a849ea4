"""What a run is given besides its state: the tenant scope, the agent's effective config, the tool
environment, the per-run canary, the stop flag and the run's parts (models, retriever, tools). Never saved
in a checkpoint.

Everything that differs between runs travels here, never in a compiled graph: `graph.shared_graph()` is
compiled once per process and used by every run of every space, so a model, a retriever bound to a space,
or a scope baked into it would leak from one run to the next."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from langchain_core.language_models.chat_models import BaseChatModel

from backend.agents.graph.prefetch import SearchPrefetch
from backend.agents.graph.speculation import SpeculationSlot
from backend.agents.tools.base import AgentTool, Passage, ToolEnv
from backend.agents.types import AgentConfig
from backend.core.db import TenantScope


class Retriever(Protocol):
    """Searches one space. Implementations refuse to run without a scope."""

    async def __call__(
        self,
        scope: TenantScope,
        query: str,
        *,
        tags: tuple[str, ...],
        top_k: int,
        document_ids: tuple[str, ...],
    ) -> list[Passage]: ...


def new_canary() -> str:
    """A per-run secret placed in the system prompt; an answer that repeats it leaked the prompt."""
    return f"OBK-{secrets.token_hex(6)}"


def new_boundary() -> str:
    """A per-run tag suffix delimiting untrusted source blocks: a document cannot forge a closing tag it
    cannot guess."""
    return secrets.token_hex(4)


@dataclass(frozen=True)
class RunParts:
    """The models, retriever and tools one run uses (the shared graph's nodes take them from here)."""

    llm: BaseChatModel
    fast_llm: BaseChatModel
    retriever: Retriever
    tools: dict[str, AgentTool]


@dataclass(frozen=True)
class AgentContext:
    scope: TenantScope
    config: AgentConfig
    tool_env: ToolEnv
    canary: str = field(default_factory=new_canary)
    boundary: str = field(default_factory=new_boundary)
    spotlight: bool = True
    """Datamark untrusted text (on by default; off only to measure what it buys)."""
    should_stop: Callable[[], bool] = lambda: False
    """Checked between tokens and steps: the Stop button's flag (never a disconnect)."""
    brand_voice: dict[str, Any] = field(default_factory=dict)
    parts: RunParts | None = None
    """The run's models, retriever and tools; required by the shared graph (`graph.shared_graph`), unused by
    a graph built with its own (`graph.build_graph`)."""
    speculative_write: bool = False
    """Start the writing call beside the decision call (`speculation`); the runner turns it on per setting."""
    speculation: SpeculationSlot = field(default_factory=SpeculationSlot)
    """The writing call `think` started for the `act` that follows it (never shared between runs)."""
    prefetch: SearchPrefetch = field(default_factory=SearchPrefetch)
    """The run's first search, started by the runner before the graph; `retrieve` takes it (`prefetch`)."""

    def __post_init__(self) -> None:
        if not isinstance(self.scope, TenantScope):
            raise RuntimeError("an agent run needs a TenantScope")


def require_scope(context: AgentContext | None) -> TenantScope:
    """The run's scope; raises when a node is run without one (nothing is searched or called unscoped)."""
    if context is None or not isinstance(getattr(context, "scope", None), TenantScope):
        raise RuntimeError("agent nodes need an AgentContext with a tenant scope")
    return context.scope


__all__ = ["AgentContext", "Retriever", "RunParts", "new_boundary", "new_canary", "require_scope"]
