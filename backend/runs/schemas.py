"""API shapes of the runs domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from backend.runs.models import AgentRun, RunStatus

MAX_DOCUMENTS = 50


class RunCreate(BaseModel):
    """A message to answer in a conversation, with documents the user @-mentioned."""

    message: str = Field(min_length=1, max_length=20_000)
    document_ids: list[str] = Field(default_factory=list, max_length=MAX_DOCUMENTS)


class RunPublic(BaseModel):
    """A run as every door shows it."""

    id: uuid.UUID
    conversation_id: uuid.UUID
    agent: str
    status: RunStatus
    stop_reason: str | None
    message: str
    document_ids: list[str]
    cancel_requested: bool
    last_sequence: int
    attempts: int
    usage: dict[str, Any] | None
    error: str | None
    created_by: uuid.UUID | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, row: AgentRun) -> RunPublic:
        return cls.model_validate(row, from_attributes=True)


__all__ = ["MAX_DOCUMENTS", "RunCreate", "RunPublic"]
