"""Block Kit for review messages and the "Request changes" modal. Pure functions: no I/O, no database.

Every review message carries the same reference twice: in its message metadata (`event_type`
`obelisk_review`) and in each button's `value`. It names the organization, space, item, version number and
the version's hash. The interaction handler resolves the space from it, checks the signature with that space's
secret, and then checks that the item and version exist in that space: the reference chooses where to look,
never what is allowed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

APPROVE = "obelisk_approve"
REQUEST_CHANGES = "obelisk_request_changes"
CHANGES_MODAL = "obelisk_changes"
NOTES_BLOCK, NOTES_ACTION = "notes", "notes_input"
METADATA_EVENT = "obelisk_review"
EXCERPT_CHARS = 600
MAX_NOTES = 3000


@dataclass(frozen=True, slots=True)
class ReviewRef:
    """Which version of which item in which space a message shows."""

    organization_id: uuid.UUID
    space_id: uuid.UUID
    item_id: uuid.UUID
    version: int
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "organization_id": str(self.organization_id),
            "space_id": str(self.space_id),
            "item_id": str(self.item_id),
            "version": self.version,
            "hash": self.hash,
        }

    @classmethod
    def from_dict(cls, data: Any) -> ReviewRef | None:
        """The reference in `data`, or None when anything is missing or malformed."""
        if not isinstance(data, dict):
            return None
        try:
            version = data["version"]
            if isinstance(version, bool) or not isinstance(version, int | str):
                return None
            ref = cls(
                organization_id=uuid.UUID(str(data["organization_id"])),
                space_id=uuid.UUID(str(data["space_id"])),
                item_id=uuid.UUID(str(data["item_id"])),
                version=int(version),
                hash=str(data["hash"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        return ref if ref.version >= 1 and 0 < len(ref.hash) <= 64 else None


@dataclass(frozen=True, slots=True)
class ReviewCard:
    """What a review message shows of one version."""

    ref: ReviewRef
    title: str
    kind: str
    body: str
    voice_score: int | None
    unsupported_claims: int | None
    link: str


def excerpt(body: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of `body` on whole words, with an ellipsis when cut."""
    text = " ".join(body.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut + "…"


def metadata(ref: ReviewRef) -> dict[str, Any]:
    """The message metadata of a review message."""
    return {"event_type": METADATA_EVENT, "event_payload": ref.to_dict()}


def _escape(text: str) -> str:
    # mrkdwn control characters; a title must not turn into a link or a mention.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _summary(card: ReviewCard) -> list[dict[str, Any]]:
    score = "not scored" if card.voice_score is None else f"{card.voice_score}/100"
    unsupported = "not checked" if card.unsupported_claims is None else str(card.unsupported_claims)
    return [
        {"type": "header", "text": {"type": "plain_text", "text": card.title[:150] or "Untitled", "emoji": False}},
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"{_escape(card.kind.replace('_', ' '))} · version {card.ref.version}"}
            ],
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": _escape(excerpt(card.body)) or "_(empty)_"}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Brand voice*\n{score}"},
                {"type": "mrkdwn", "text": f"*Unsupported claims*\n{unsupported}"},
            ],
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": f"<{card.link}|Open in Obelisk>"}},
    ]


def review_message(card: ReviewCard) -> list[dict[str, Any]]:
    """A version waiting for review: its summary and the Approve / Request changes buttons."""
    value = json.dumps(card.ref.to_dict(), separators=(",", ":"))
    return [
        *_summary(card),
        {
            "type": "actions",
            "block_id": "review",
            "elements": [
                {
                    "type": "button",
                    "action_id": APPROVE,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Approve"},
                    "value": value,
                },
                {
                    "type": "button",
                    "action_id": REQUEST_CHANGES,
                    "text": {"type": "plain_text", "text": "Request changes"},
                    "value": value,
                },
            ],
        },
    ]


def decided_message(card: ReviewCard, outcome: str) -> list[dict[str, Any]]:
    """The same message once decided: the summary and a line saying what happened, without buttons."""
    return [*_summary(card), {"type": "context", "elements": [{"type": "mrkdwn", "text": outcome}]}]


def message_text(card: ReviewCard) -> str:
    """The notification text (shown where blocks are not)."""
    return f"Review requested: {card.title} (version {card.ref.version})"


def changes_modal(private_metadata: str, *, title: str) -> dict[str, Any]:
    """The "Request changes" modal: one multi-line notes field."""
    return {
        "type": "modal",
        "callback_id": CHANGES_MODAL,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": "Request changes"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"What should change in *{_escape(title[:150])}*?"}},
            {
                "type": "input",
                "block_id": NOTES_BLOCK,
                "label": {"type": "plain_text", "text": "Notes for the writer"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": NOTES_ACTION,
                    "multiline": True,
                    "max_length": MAX_NOTES,
                },
            },
        ],
    }


def revision_message(card: ReviewCard, notes: str) -> list[dict[str, Any]]:
    """A revised version, posted in the original message's thread, with its own review buttons."""
    note = {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": f"Revised from the notes: {_escape(notes[:500])}"}],
    }
    return [note, *review_message(card)]


__all__ = [
    "APPROVE",
    "CHANGES_MODAL",
    "MAX_NOTES",
    "METADATA_EVENT",
    "NOTES_ACTION",
    "NOTES_BLOCK",
    "REQUEST_CHANGES",
    "ReviewCard",
    "ReviewRef",
    "changes_modal",
    "decided_message",
    "excerpt",
    "message_text",
    "metadata",
    "review_message",
    "revision_message",
]
