"""Agent tables: a space's overrides of an agent's settings, and conversations.

Both are space-scoped tenant tables under forced row-level security (migration 0007_agents). A
conversation's messages are not here: they live in the LangGraph checkpoints of its thread
(`<space id>:<conversation id>`), which have row-level security of their own on that prefix.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


def _fk(target: str) -> Any:
    return sa.Column(sa.Uuid, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


class AgentSettings(SQLModel, table=True):
    """A space's overrides of one agent's defaults; a NULL field means "use the default"."""

    __tablename__ = "agent_settings"
    __table_args__ = (sa.UniqueConstraint("space_id", "agent", name="uq_agent_settings_space_agent"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(sa_column=_fk("organizations.id"))
    space_id: uuid.UUID = Field(sa_column=_fk("spaces.id"))
    agent: str = Field(max_length=16)
    temperature: float | None = Field(default=None, nullable=True)
    extra_instructions: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    collections: list[str] | None = Field(default=None, sa_type=ARRAY(sa.String(64)), nullable=True)
    top_k: int | None = Field(default=None, nullable=True)
    max_iterations: int | None = Field(default=None, nullable=True)
    updated_by: uuid.UUID | None = Field(default=None, nullable=True)
    updated_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)

    def overrides(self) -> dict[str, Any]:
        return {
            "temperature": self.temperature,
            "extra_instructions": self.extra_instructions,
            "collections": self.collections,
            "top_k": self.top_k,
            "max_iterations": self.max_iterations,
        }


class Conversation(SQLModel, table=True):
    """A chat with one agent in one space. Its thread id is `<space id>:<id>`, issued here, never by a client."""

    __tablename__ = "conversations"
    __table_args__ = (sa.Index("ix_conversations_space_updated", "space_id", "updated_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(sa_column=_fk("organizations.id"))
    space_id: uuid.UUID = Field(sa_column=_fk("spaces.id"))
    agent: str = Field(max_length=16)
    title: str = Field(max_length=200)
    created_by: uuid.UUID | None = Field(default=None, nullable=True)
    message_count: int = Field(default=0)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)
    updated_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)

    @property
    def thread_id(self) -> str:
        return f"{self.space_id}:{self.id}"


__all__ = ["AgentSettings", "Conversation"]
