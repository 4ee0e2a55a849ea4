"""What the graph remembers. Everything here is saved in the checkpoints, so it holds no scope, no model and
nothing that cannot be serialised: the tenant scope travels in the runtime context (`context.AgentContext`).

Per-run fields are reset by the input of each run (`initial_input`); `messages` is the conversation and
accumulates across runs of the same thread.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages

StopReason = Literal["completed", "max_iterations", "contaminated", "error", "cancelled"]
Action = Literal["use_tool", "search_more", "write_answer", "finish"]


class AgentState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    """The conversation: user messages and final answers (with their run id and citations)."""
    request: str
    """The user's message this run answers."""
    run_id: str
    document_ids: list[str]
    """Documents the user @-mentioned: searched first."""
    iterations: int
    """Completed think → act → check cycles of this run."""
    search_query: str
    """What the next retrieval looks for (the request first, then the model's follow-up queries)."""
    context: list[dict[str, Any]]
    """Retrieved passages (Passage fields), numbered S1, S2... in prompts, in the order they arrived."""
    blocked_sources: list[dict[str, Any]]
    """Passages refused at retrieval because the detector flagged them (never shown to a model)."""
    tool_results: list[dict[str, Any]]
    """Each tool call of this run: tool, arguments, ok, result or error."""
    decision: dict[str, Any]
    """The last decision of `think` (action, tool, search_query, reason)."""
    last_action: str
    draft: str
    """The latest answer written by `act`."""
    task_complete: bool
    needs_more_context: bool
    contamination_detected: bool
    contamination: dict[str, Any] | None
    """Why the draft was blocked: rule, evidence and the source chunk that carried the attack, when known."""
    cancelled: bool
    error: str | None
    stop_reason: StopReason | None
    citations: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    """The grounding report of the final draft: every factual sentence, supported or not, with its sources."""


def initial_input(request: str, *, run_id: str, document_ids: list[str]) -> dict[str, Any]:
    """The input of a run: the new user message, and every per-run field reset."""
    from langchain_core.messages import HumanMessage

    created = datetime.now(UTC).isoformat()
    return {
        "messages": [HumanMessage(content=request, additional_kwargs={"run_id": run_id, "created_at": created})],
        "request": request,
        "run_id": run_id,
        "document_ids": document_ids,
        "iterations": 0,
        "search_query": request,
        "context": [],
        "blocked_sources": [],
        "tool_results": [],
        "decision": {},
        "last_action": "",
        "draft": "",
        "task_complete": False,
        "needs_more_context": False,
        "contamination_detected": False,
        "contamination": None,
        "cancelled": False,
        "error": None,
        "stop_reason": None,
        "citations": [],
        "claims": [],
    }


__all__ = ["Action", "AgentState", "StopReason", "initial_input"]
