"""API shapes of the agents domain: agent settings, conversations and their messages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from backend.agents.types import MAX_ITERATIONS_CAP, AgentConfig, AgentType

MAX_COLLECTIONS = 20
MAX_EXTRA_INSTRUCTIONS = 4000


class AgentSettingsValues(BaseModel):
    """The adjustable settings of one agent."""

    temperature: float = Field(ge=0.0, le=2.0)
    collections: list[str] = Field(description="Document tags the agent searches first")
    top_k: int = Field(ge=1, le=50, description="Passages retrieved per search")
    max_iterations: int = Field(ge=1, le=MAX_ITERATIONS_CAP)
    extra_instructions: str = Field(default="", max_length=MAX_EXTRA_INSTRUCTIONS)


class AgentSettingsUpdate(BaseModel):
    """A space admin's overrides; a field left out (or null) goes back to the default."""

    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    collections: list[str] | None = Field(default=None, max_length=MAX_COLLECTIONS)
    top_k: int | None = Field(default=None, ge=1, le=50)
    max_iterations: int | None = Field(default=None, ge=1, le=MAX_ITERATIONS_CAP)
    extra_instructions: str | None = Field(default=None, max_length=MAX_EXTRA_INSTRUCTIONS)


class AgentSettingsPublic(AgentSettingsValues):
    """An agent's effective settings in the space, with the code defaults beside them."""

    agent: AgentType
    name: str
    description: str
    tools: list[str]
    overridden: list[str] = Field(description="Fields where the space's value differs from the default")
    defaults: AgentSettingsValues

    @classmethod
    def of(cls, effective: AgentConfig, default: AgentConfig) -> AgentSettingsPublic:
        return cls(
            agent=effective.agent_type,
            name=effective.name,
            description=effective.description,
            tools=list(effective.tools),
            overridden=list(effective.overridden),
            defaults=AgentSettingsValues(**default.settings()),
            **effective.settings(),
        )


class ConversationCreate(BaseModel):
    agent: AgentType
    title: str | None = Field(default=None, max_length=200)


class ConversationUpdate(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class ConversationPublic(BaseModel):
    id: uuid.UUID
    agent: AgentType
    title: str
    message_count: int = 0
    created_at: datetime
    updated_at: datetime


class CitationPublic(BaseModel):
    chunk_id: str
    document_id: str | None = None
    document_title: str = ""
    heading_path: list[str] = Field(default_factory=list)
    page: int | None = None
    source_url: str | None = None


class MessagePublic(BaseModel):
    role: str = Field(description="user or assistant")
    content: str
    run_id: str | None = None
    citations: list[CitationPublic] = Field(default_factory=list)
    stop_reason: str | None = None
    unsupported_claims: list[dict[str, Any]] = Field(default_factory=list)
    created_at: datetime | None = None


__all__ = [
    "AgentSettingsPublic",
    "AgentSettingsUpdate",
    "AgentSettingsValues",
    "CitationPublic",
    "ConversationCreate",
    "ConversationPublic",
    "ConversationUpdate",
    "MessagePublic",
]
