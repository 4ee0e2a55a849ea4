"""Every decision a model makes here is schema-bound JSON, with a bounded number of repairs and a safe default.

Locally llama.cpp turns the schema into a grammar, so even a small model can only produce parseable JSON;
Vertex AI and OpenAI-compatible servers use their structured output. When a reply still does not fit (a
model that ignores the schema, a truncated reply), the model is told what was wrong and asked again, at most
`MAX_REPAIRS` times; then the caller's safe default is used, so a weak model slows a run down but never
breaks it.
"""

from __future__ import annotations

import logging
from typing import Any, Literal, TypeVar

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage
from pydantic import BaseModel, Field, ValidationError, create_model

from backend.agents.graph.prompts import repair_request
from backend.models.errors import ModelOutputInvalid

log = logging.getLogger(__name__)

MAX_REPAIRS = 2
T = TypeVar("T", bound=BaseModel)


class Review(BaseModel):
    """The check step's verdict on a draft."""

    complete: bool = Field(description="The draft fully answers the request")
    needs_more_context: bool = Field(default=False, description="Facts are missing from the sources")
    missing: str = Field(default="", max_length=300, description="What to search for when context is missing")


def decision_model(tool_names: tuple[str, ...]) -> type[BaseModel]:
    """The schema of `think`'s decision, with the agent's own tool names as an enum (weak models pick better
    from a closed list than they spell a name)."""
    tool_type: Any = Literal[(*tool_names, "none")] if tool_names else Literal["none"]  # type: ignore[valid-type]
    action_type: Any = Literal["use_tool", "search_more", "write_answer", "finish"]
    return create_model(
        "Decision",
        action=(action_type, Field(description="The next step")),
        tool=(tool_type, Field(default="none", description="The tool to use when action is use_tool")),
        search_query=(str, Field(default="", max_length=300, description="What to search for (search_more)")),
        reason=(str, Field(default="", max_length=300, description="Why, in one sentence")),
    )


async def decide(
    model: BaseChatModel, schema: type[T], messages: list[BaseMessage], *, default: T, what: str
) -> tuple[T, int]:
    """`schema` filled by `model`, and how many repairs it took; `default` after `MAX_REPAIRS` failed repairs.

    Provider errors (timeouts, rate limits, an open circuit) are not repaired: they propagate, and the node
    routes the run to its `error` end with the provider's message.
    """
    runnable = model.with_structured_output(schema)
    attempt_messages = list(messages)
    for attempt in range(MAX_REPAIRS + 1):
        try:
            value = await runnable.ainvoke(attempt_messages)
            if isinstance(value, schema):
                return value, attempt
            return schema.model_validate(value), attempt
        except (ModelOutputInvalid, ValidationError, ValueError) as exc:
            log.info("agent %s: unusable structured reply (attempt %d): %s", what, attempt + 1, exc)
            attempt_messages = [*messages, HumanMessage(content=repair_request(str(exc)))]
    log.warning("agent %s: falling back to the safe default after %d repairs", what, MAX_REPAIRS)
    return default, MAX_REPAIRS + 1


__all__ = ["MAX_REPAIRS", "Review", "decide", "decision_model"]
