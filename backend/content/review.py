"""The review workflow as ONE transition table: (state, action) → next state. Nothing else moves an item.

    draft ──submit──▶ in_review ──approve──────────▶ approved ──publish──▶ published
                        ▲   └──request_changes──▶ changes_requested
                        └──────────submit───────────────┘
    approved / published ──revise──▶ draft   (a new version voids an approval: it was of another text)

An action the current state does not allow is a conflict (409), never a silent no-op, so a stale button in a
browser or a replayed Slack click cannot move an item twice. `revise` is not a button: the service takes it
when a version is saved on an approved or published item, and records it like any other transition.
"""

from __future__ import annotations

from typing import Literal, get_args

State = Literal["draft", "in_review", "approved", "changes_requested", "published"]
Action = Literal["submit", "approve", "request_changes", "publish", "revise"]
UserAction = Literal["submit", "approve", "request_changes", "publish"]

STATES: tuple[str, ...] = get_args(State)
ACTIONS: tuple[str, ...] = get_args(Action)
USER_ACTIONS: tuple[str, ...] = get_args(UserAction)

TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "submit"): "in_review",
    ("changes_requested", "submit"): "in_review",
    ("in_review", "approve"): "approved",
    ("in_review", "request_changes"): "changes_requested",
    ("approved", "publish"): "published",
    ("approved", "revise"): "draft",
    ("published", "revise"): "draft",
}

LABELS: dict[str, str] = {
    "draft": "Draft",
    "in_review": "In review",
    "approved": "Approved",
    "changes_requested": "Changes requested",
    "published": "Published",
}
ACTION_LABELS: dict[str, str] = {
    "submit": "Submit for review",
    "approve": "Approve",
    "request_changes": "Request changes",
    "publish": "Mark published",
    "revise": "Edited (new version)",
}


def next_state(state: str, action: str) -> str | None:
    """The state `action` leads to from `state`, or None when the table has no such edge."""
    return TRANSITIONS.get((state, action))


def allowed_actions(state: str) -> list[str]:
    """The user actions (buttons) the state allows, in table order."""
    return [action for (origin, action) in TRANSITIONS if origin == state and action in USER_ACTIONS]


__all__ = [
    "ACTIONS",
    "ACTION_LABELS",
    "LABELS",
    "STATES",
    "TRANSITIONS",
    "USER_ACTIONS",
    "Action",
    "State",
    "UserAction",
    "allowed_actions",
    "next_state",
]
