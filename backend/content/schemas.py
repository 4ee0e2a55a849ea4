"""API shapes of the content domain: items, versions with their scores, transitions, comments, audit packs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field, field_validator, model_validator

from backend.content.links import MAX_URL, clean_url
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
    url: str | None = Field(
        default=None,
        max_length=MAX_URL,
        description="With `publish`: the http(s) address the item is live at (its GA4 figures are read for it)",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else clean_url(value)

    @model_validator(mode="after")
    def _url_with_publish(self) -> TransitionCreate:
        if self.url is not None and self.action != "publish":
            raise ValueError("a url can only be given with the publish action")
        return self


class PublishedUrlUpdate(BaseModel):
    """Link a published item to the address it is live at (`null` unlinks it)."""

    url: str | None = Field(max_length=MAX_URL, description="An http(s) address, or null")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else clean_url(value)


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
    published_url: str | None = Field(default=None, description="Where the published item is live")
    published_at: datetime | None = Field(default=None, description="When it was first published")
    allowed_actions: list[str]
    versions: list[VersionSummary]
    transitions: list[TransitionPublic]
    comments: list[CommentPublic]


PerformanceState = Literal[
    "not_published", "not_linked", "not_configured", "not_connected", "needs_reconnect", "no_property", "ok", "error"
]


class PerformancePoint(BaseModel):
    date: date
    sessions: float
    conversions: float


class ContentPerformance(BaseModel):
    """The GA4 figures of a published item's URL since its publication (sessions that landed on its page)."""

    state: PerformanceState = Field(description="ok, or why there are no figures (`message` says what to do)")
    message: str | None = None
    url: str | None = None
    path: str | None = Field(default=None, description="The page path GA4 reports it under")
    start_date: date | None = Field(default=None, description="The publication day")
    end_date: date | None = None
    days: int = Field(default=0, description="Days since publication, both ends included")
    sessions: float = 0
    conversions: float = Field(default=0, description="GA4 key events (formerly conversions)")
    engagement_rate: float | None = None
    sessions_per_day: float = 0
    series: list[PerformancePoint] = Field(default_factory=list)


class LinkedItemFigures(BaseModel):
    """A published item linked to its address, with the GA4 figures of its page since its publication."""

    id: str
    title: str
    url: str
    published_at: datetime
    days: int = Field(description="Days since publication, both ends included")
    sessions: float = Field(description="Sessions that landed on the item's page since its publication")
    conversions: float = Field(description="Their GA4 key events")
    sessions_per_day: float
    conversions_per_day: float


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
    "ContentPerformance",
    "ContentPublic",
    "ContentSettingsPublic",
    "ContentSettingsUpdate",
    "ContentSummary",
    "ContentType",
    "LinkedItemFigures",
    "PerformancePoint",
    "PerformanceState",
    "PublishedUrlUpdate",
    "TransitionCreate",
    "TransitionPublic",
    "VersionCreate",
    "VersionPublic",
    "VersionSummary",
]
