"""Content items as the Content pages show them: typed rows, and the functions that build them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict, TypeVar

from pydantic import BaseModel, ValidationError

from backend.content.diff import DiffSegment
from backend.content.review import ACTION_LABELS, LABELS
from backend.content.schemas import (
    TYPE_LABELS,
    CommentPublic,
    ContentSummary,
    TransitionPublic,
    VersionSummary,
)
from backend.core.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)


def valid(model: type[M], data: dict[str, Any]) -> M:
    """`data` as `model`, or a ValidationFailed a person can read (a browser can send any argument)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ValidationFailed(f"{where}: {first.get('msg', 'invalid')}", code="validation_failed") from None


class ContentRow(TypedDict):
    id: str
    title: str
    type_label: str
    state: str
    state_label: str
    version: int
    voice_score: str
    unsupported: int
    updated: str


class VersionRow(TypedDict):
    number: str
    label: str
    hash_short: str
    note: str
    voice_score: str


class ActionRow(TypedDict):
    action: str
    label: str


class SubScoreRow(TypedDict):
    name: str
    score: str
    detail: str


class FlagRow(TypedDict):
    index: int
    message: str
    rule: str
    severity: str
    source: str
    fix: str
    excerpt: str
    can_apply: bool


class ClaimRow(TypedDict):
    text: str
    supported: bool
    source_label: str
    source_excerpt: str
    more_sources: int


class PreviewRow(TypedDict):
    label: str
    shown: str
    length: int
    limit: int
    truncated: bool
    status: str


class TransitionRow(TypedDict):
    when: str
    label: str
    change: str
    actor: str
    version: int
    note: str
    override: bool


class CommentRow(TypedDict):
    when: str
    author: str
    body: str
    on_version: str


def when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def content_row(item: ContentSummary) -> ContentRow:
    return ContentRow(
        id=str(item.id),
        title=item.title,
        type_label=TYPE_LABELS.get(item.type, item.type),
        state=item.state,
        state_label=LABELS.get(item.state, item.state),
        version=item.version,
        voice_score="–" if item.voice_score is None else str(item.voice_score),
        unsupported=item.unsupported_claims or 0,
        updated=when(item.updated_at),
    )


def version_row(v: VersionSummary) -> VersionRow:
    return VersionRow(
        number=str(v.number),
        label=f"Version {v.number} · {when(v.created_at)} · {v.author or 'someone'}",
        hash_short=v.hash[:12],
        note=v.note or "",
        voice_score="–" if v.voice_score is None else str(v.voice_score),
    )


def action_rows(actions: list[str]) -> list[ActionRow]:
    return [ActionRow(action=a, label=ACTION_LABELS.get(a, a)) for a in actions]


def sub_score_rows(voice: dict[str, Any]) -> list[SubScoreRow]:
    return [
        SubScoreRow(
            name=str(s.get("name", "")).replace("_", " "),
            score="n/a" if s.get("score") is None else str(s["score"]),
            detail=str(s.get("detail", "")),
        )
        for s in voice.get("sub_scores") or []
    ]


def flag_rows(voice: dict[str, Any], *, editable: bool) -> list[FlagRow]:
    return [
        FlagRow(
            index=i,
            message=str(f.get("message", "")),
            rule=str(f.get("rule", "")).replace("_", " "),
            severity=str(f.get("severity", "")),
            source=str(f.get("source", "")),
            fix=str(f.get("fix", "")),
            excerpt=str(f.get("text", "")) if f.get("text") != f.get("message") else "",
            can_apply=editable and bool(f.get("apply")),
        )
        for i, f in enumerate(voice.get("flags") or [])
    ]


def claim_rows(grounding: dict[str, Any]) -> list[ClaimRow]:
    rows = []
    for claim in grounding.get("claims") or []:
        sources = claim.get("sources") or []
        first = sources[0] if sources else {}
        rows.append(
            ClaimRow(
                text=str(claim.get("text", "")),
                supported=bool(claim.get("supported")),
                source_label=str(first.get("label") or first.get("chunk_id") or ""),
                source_excerpt=str(first.get("excerpt", "")),
                more_sources=max(0, len(sources) - 1),
            )
        )
    return rows


def preview_rows(previews: dict[str, Any]) -> list[PreviewRow]:
    rows = []
    for p in previews.values():
        length, limit = int(p.get("length", 0)), int(p.get("limit", 0))
        if p.get("truncated"):
            status = f"{length}/{limit} characters: {'refused' if p.get('hard_limit') else 'cut'} here"
        else:
            status = f"{length}/{limit} characters: fits"
        rows.append(
            PreviewRow(
                label=str(p.get("label", "")),
                shown=str(p.get("shown", "")),
                length=length,
                limit=limit,
                truncated=bool(p.get("truncated")),
                status=status,
            )
        )
    return rows


def transition_row(t: TransitionPublic) -> TransitionRow:
    return TransitionRow(
        when=when(t.created_at),
        label=ACTION_LABELS.get(t.action, t.action),
        change=f"{LABELS.get(t.from_state, t.from_state)} → {LABELS.get(t.to_state, t.to_state)}",
        actor=t.actor or "someone",
        version=t.version,
        note=t.note or "",
        override=t.override,
    )


def comment_row(c: CommentPublic) -> CommentRow:
    return CommentRow(
        when=when(c.created_at),
        author=c.author or "someone",
        body=c.body,
        on_version="" if c.version is None else f"on version {c.version}",
    )


def diff_rows(segments: list[DiffSegment]) -> list[DiffSegment]:
    return [DiffSegment(kind=s["kind"], text=s["text"]) for s in segments]


__all__ = [
    "ActionRow",
    "ClaimRow",
    "CommentRow",
    "ContentRow",
    "FlagRow",
    "PreviewRow",
    "SubScoreRow",
    "TransitionRow",
    "VersionRow",
    "action_rows",
    "claim_rows",
    "comment_row",
    "content_row",
    "diff_rows",
    "flag_rows",
    "preview_rows",
    "sub_score_rows",
    "transition_row",
    "valid",
    "version_row",
    "when",
]
