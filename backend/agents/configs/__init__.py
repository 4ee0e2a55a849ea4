"""The four agents' defaults, one module each."""

from backend.agents.configs import brand, email, seo, strategy
from backend.agents.types import AgentConfig, AgentType

DEFAULTS: dict[AgentType, AgentConfig] = {
    "seo": seo.CONFIG,
    "email": email.CONFIG,
    "brand": brand.CONFIG,
    "strategy": strategy.CONFIG,
}

__all__ = ["DEFAULTS"]
