"""Where the graph goes next. Pure functions of the state (and the run's cap), typed with the edges they take."""

from __future__ import annotations

from typing import Literal

from backend.agents.graph.state import AgentState

ThinkRoute = Literal["act", "complete", "error"]
CheckRoute = Literal["continue", "more_context", "complete", "max_iterations", "contaminated", "error"]
RetrieveRoute = Literal["think", "error"]


def after_retrieve(state: AgentState) -> RetrieveRoute:
    return "error" if state.get("error") or state.get("cancelled") else "think"


def after_think(state: AgentState) -> ThinkRoute:
    if state.get("error") or state.get("cancelled"):
        return "error"
    if state.get("task_complete") and (state.get("decision") or {}).get("action") == "finish":
        return "complete"
    return "act"


def after_check(state: AgentState, max_iterations: int) -> CheckRoute:
    if state.get("contamination_detected"):
        return "contaminated"
    if state.get("error") or state.get("cancelled"):
        return "error"
    if state.get("task_complete"):
        return "complete"
    if state.get("iterations", 0) >= max_iterations:
        return "max_iterations"
    if state.get("needs_more_context"):
        return "more_context"
    return "continue"


__all__ = ["CheckRoute", "RetrieveRoute", "ThinkRoute", "after_check", "after_retrieve", "after_think"]
