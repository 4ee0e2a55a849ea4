"""API shapes of the content domain: items, versions with their scores, transitions, comments, audit packs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

from backend.content.review import State, UserAction

ContentType = Literal["blog_post", "email", "social_post", "landing_page", "ad"]
CONTENT_TYPES: tuple[str, ...] = get_args(ContentType)
TYPE_LABELS = {
    "blog_post": "Blog post",
    "email": "Email",
    "social_post": "Social post",
    "landing_page": "Landing page",
    "ad": "Ad",
}
MAX_BODY = 100_000
MAX_NOTE = 4000


class ContentCreate(BaseModel):
    """A new item and its first version (an agent's answer, or text written by hand)."""

    title: str = Field(min_length=1, max_length=300)
    type: ContentType
    body: str = Field(min_length=1, max_length=MAX_BODY)
    run_id: uuid.UUID | None = Field(default=None, description="The agent run that wrote the body")
    model: str | None = Field(default=None, max_length=200, description="The model that wrote it (audit pack)")
    prompt_version: str | None = Field(default=None, max_length=100, description="Its prompt version (audit pack)")


class VersionCreate(BaseModel):
    """An edit: the whole new text (versions are never changed in place)."""

    body: str = Field(min_length=1, max_length=MAX_BODY)
    note: str | None = Field(default=None, max_length=500, description="What changed, in a few words")
    run_id: uuid.UUID | None = None
    model: str | None = Field(default=None, max_length=200)
    prompt_version: str | None = Field(default=None, max_length=100)


class TransitionCreate(BaseModel):
    """A review action on the item; `version` pins the version the reviewer saw (default: the current one)."""

    action: UserAction
    version: int | None = Field(default=None, ge=1)
    note: str | None = Field(default=None, max_length=MAX_NOTE)
    override: bool = Field(
        default=False,
        description="Approve although claims are unsupported (when the space requires them supported); "
        "needs a written reason in `note`",
    )


class CommentCreate(BaseModel):
    body: str = Field(min_length=1, max_length=MAX_NOTE)
    version: int | None = Field(default=None, ge=1)


class ContentSettingsUpdate(BaseModel):
    require_supported_claims: bool


class ContentSettingsPublic(BaseModel):
    require_supported_claims: bool


class ContentSummary(BaseModel):
    """An item as lists show it (POST answers this too, with `version` = its first version's number)."""

    id: uuid.UUID
    title: str
    type: ContentType
    state: State
    version: int = Field(description="The current version's number")
    voice_score: int | None = None
    unsupported_claims: int | None = None
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class VersionSummary(BaseModel):
    number: int
    hash: str
    created_at: datetime
    created_by: uuid.UUID | None
    author: str | None = Field(default=None, description="The email of who saved it")
    note: str | None = None
    voice_score: int | None = None


class VersionPublic(VersionSummary):
    """One version with its text and the scores it got when it was saved."""

    body: str
    scores: dict[str, Any]
    run_id: uuid.UUID | None
    model: str | None
    prompt_version: str | None


class TransitionPublic(BaseModel):
    action: str
    from_state: str
    to_state: str
    version: int
    hash: str
    actor_id: uuid.UUID | None
    actor: str | None = Field(description="Who did it (an email, or a Slack user)")
    note: str | None
    override: bool
    created_at: datetime


class CommentPublic(BaseModel):
    id: uuid.UUID
    version: int | None
    author_id: uuid.UUID | None
    author: str | None
    body: str
    created_at: datetime


class ContentPublic(BaseModel):
    """An item with its version list, its review history and its comments."""

    id: uuid.UUID
    title: str
    type: ContentType
    state: State
    current_version: int
    run_id: uuid.UUID | None
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str]
    versions: list[VersionSummary]
    transitions: list[TransitionPublic]
    comments: list[CommentPublic]


class AuditPack(BaseModel):
    """An item's audit pack (`?format=markdown` answers the same as a Markdown document)."""

    generated_at: str
    item: dict[str, Any]
    versions: list[dict[str, Any]] = Field(description="Every version: text, hash, scores, sources, model, prompt")
    sent_for_review: list[dict[str, Any]]
    approvals: list[dict[str, Any]] = Field(description="Who approved which version (number and hash), and when")
    transitions: list[dict[str, Any]]
    comments: list[dict[str, Any]]


__all__ = [
    "CONTENT_TYPES",
    "MAX_BODY",
    "TYPE_LABELS",
    "AuditPack",
    "CommentCreate",
    "CommentPublic",
    "ContentCreate",
    "ContentPublic",
    "ContentSettingsPublic",
    "ContentSettingsUpdate",
    "ContentSummary",
    "ContentType",
    "TransitionCreate",
    "TransitionPublic",
    "VersionCreate",
    "VersionPublic",
    "VersionSummary",
]
