"""AgentType → AgentConfig: the code defaults, and a space's effective config with its overrides applied."""

from __future__ import annotations

from typing import Any

from backend.agents.configs import DEFAULTS
from backend.agents.types import AGENT_TYPES, AgentConfig, AgentType
from backend.core.errors import NotFound


def parse_agent(value: str) -> AgentType:
    """The agent named `value`, or a 404 that lists the agents there are."""
    for agent in AGENT_TYPES:
        if agent == value:
            return agent
    names = ", ".join(AGENT_TYPES)
    raise NotFound(f"There is no agent '{value[:40]}'; the agents are {names}.", code="agent_not_found")


def default_config(agent: AgentType) -> AgentConfig:
    return DEFAULTS[agent]


def effective_config(agent: AgentType, overrides: dict[str, Any] | None) -> AgentConfig:
    """The defaults with a space's overrides (None fields keep the default)."""
    return DEFAULTS[agent].with_overrides(overrides or {})


__all__ = ["default_config", "effective_config", "parse_agent"]
