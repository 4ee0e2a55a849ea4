"""The events of a run, as stored, replayed and streamed.

`RunEventPublic` is the one shape every door uses (REST replay, SSE, WebSocket, the Reflex chat): a
sequence (1..n, gap-free per run), a type, a JSON payload and a time. `EventType` is the closed list of
types; the typed payload models below document what each carries and let a client parse a payload with
`parse_payload`. The graph's payloads pass through unchanged (the executor does not re-shape them), so
the payload models allow extra keys.

A `complete` event closes an attempt of a run. Its `stop_reason` is the graph's
(completed|max_iterations|contaminated|error|cancelled), or `interrupted` when the worker died mid-run
(recovery writes that one); a resumed run then continues with a `status` event and, at its end, another
`complete`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

EventType = Literal["status", "token", "step", "tool_call", "tool_result", "citation", "error", "complete"]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
StopReason = Literal["completed", "max_iterations", "contaminated", "error", "cancelled", "interrupted"]


class RunEventPublic(BaseModel):
    """One persisted event of a run."""

    sequence: int = Field(ge=1)
    type: EventType
    payload: dict[str, Any]
    created_at: datetime

    @classmethod
    def trusted(cls, sequence: int, type: str, payload: dict[str, Any], created_at: datetime) -> RunEventPublic:
        """An event from values already checked (a stored row, one just stamped), without validation: a
        replay builds 10,000 of these, and pydantic's `model_construct` costs ~25 us each, this ~2 us."""
        event = cls.__new__(cls)
        object.__setattr__(
            event, "__dict__", {"sequence": sequence, "type": type, "payload": payload, "created_at": created_at}
        )
        object.__setattr__(event, "__pydantic_fields_set__", _ALL_FIELDS)
        object.__setattr__(event, "__pydantic_extra__", None)
        object.__setattr__(event, "__pydantic_private__", None)
        return event

    def to_wire(self) -> dict[str, Any]:
        """JSON-ready form (what the broker carries)."""
        return {
            "sequence": self.sequence,
            "type": self.type,
            "payload": self.payload,
            "created_at": self.created_at.isoformat(),
        }


_ALL_FIELDS = frozenset({"sequence", "type", "payload", "created_at"})


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow")


class StatusPayload(_Payload):
    type: Literal["status"] = "status"
    status: str
    attempt: int | None = None


class TokenPayload(_Payload):
    type: Literal["token"] = "token"
    text: str


class StepPayload(_Payload):
    type: Literal["step"] = "step"
    name: str
    status: str


class ToolCallPayload(_Payload):
    type: Literal["tool_call"] = "tool_call"
    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolResultPayload(_Payload):
    type: Literal["tool_result"] = "tool_result"
    tool: str
    ok: bool


class CitationPayload(_Payload):
    type: Literal["citation"] = "citation"
    chunk_id: str | None = None
    document_id: str | None = None


class ErrorPayload(_Payload):
    type: Literal["error"] = "error"
    message: str
    code: str | None = None


class CompletePayload(_Payload):
    type: Literal["complete"] = "complete"
    stop_reason: StopReason
    message: str
    citations: list[dict[str, Any]] = Field(default_factory=list)
    unsupported_claims: list[dict[str, Any]] = Field(default_factory=list)


EventPayload = Annotated[
    StatusPayload
    | TokenPayload
    | StepPayload
    | ToolCallPayload
    | ToolResultPayload
    | CitationPayload
    | ErrorPayload
    | CompletePayload,
    Field(discriminator="type"),
]
_PAYLOADS: TypeAdapter[EventPayload] = TypeAdapter(EventPayload)


def parse_payload(event: RunEventPublic) -> EventPayload:
    """The typed payload of `event` (raises pydantic's ValidationError for a malformed one)."""
    return _PAYLOADS.validate_python({**event.payload, "type": event.type})


__all__ = [
    "EVENT_TYPES",
    "CitationPayload",
    "CompletePayload",
    "ErrorPayload",
    "EventPayload",
    "EventType",
    "RunEventPublic",
    "StatusPayload",
    "StepPayload",
    "StopReason",
    "TokenPayload",
    "ToolCallPayload",
    "ToolResultPayload",
    "parse_payload",
]
