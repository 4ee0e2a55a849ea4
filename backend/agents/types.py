"""What an agent is: its type, its retrieval focus and its settings, as code defaults and space overrides.

An `AgentConfig` is immutable. The defaults live in `configs/`, one module per agent; a space's admins may
override temperature, extra instructions, collections, top_k and max_iterations (`registry.effective_config`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

AgentType = Literal["seo", "email", "brand", "strategy"]
AGENT_TYPES: tuple[AgentType, ...] = get_args(AgentType)

MAX_ITERATIONS_CAP = 25
"""No override may let an agent loop longer than this (the per-run recursion limit follows from it)."""


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    """Where the agent looks first: document tags ("collections") and how many passages it takes."""

    collections: tuple[str, ...] = ()
    top_k: int = 8


@dataclass(frozen=True, slots=True)
class AgentConfig:
    """One agent's effective settings for a run."""

    agent_type: AgentType
    name: str
    system_prompt: str
    temperature: float
    tools: tuple[str, ...]
    retrieval_config: RetrievalConfig
    max_iterations: int = 10
    extra_instructions: str = ""
    description: str = ""
    overridden: tuple[str, ...] = field(default=())
    """Names of the fields a space override changed (the Agents page shows defaults beside them)."""

    def with_overrides(self, overrides: dict[str, Any]) -> AgentConfig:
        """A copy with the space's overrides applied (unknown or empty keys ignored)."""
        changed: list[str] = []
        config = self
        if overrides.get("temperature") is not None:
            config = replace(config, temperature=float(overrides["temperature"]))
            changed.append("temperature")
        if overrides.get("extra_instructions"):
            config = replace(config, extra_instructions=str(overrides["extra_instructions"]))
            changed.append("extra_instructions")
        if overrides.get("collections") is not None:
            retrieval = replace(config.retrieval_config, collections=tuple(overrides["collections"]))
            config = replace(config, retrieval_config=retrieval)
            changed.append("collections")
        if overrides.get("top_k") is not None:
            config = replace(config, retrieval_config=replace(config.retrieval_config, top_k=int(overrides["top_k"])))
            changed.append("top_k")
        if overrides.get("max_iterations") is not None:
            config = replace(config, max_iterations=min(int(overrides["max_iterations"]), MAX_ITERATIONS_CAP))
            changed.append("max_iterations")
        return replace(config, overridden=tuple(changed))

    def settings(self) -> dict[str, Any]:
        """The adjustable fields, as the API and the Agents page show them."""
        return {
            "temperature": self.temperature,
            "collections": list(self.retrieval_config.collections),
            "top_k": self.retrieval_config.top_k,
            "max_iterations": self.max_iterations,
            "extra_instructions": self.extra_instructions,
        }


__all__ = ["AGENT_TYPES", "MAX_ITERATIONS_CAP", "AgentConfig", "AgentType", "RetrievalConfig"]
