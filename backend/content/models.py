"""Content tables: items, their numbered versions (with the scores computed when each was saved), the review
transitions, comments, and each space's review settings.

All are space-scoped tenant tables under forced row-level security (migration 0009_content). A version is
never changed after it is saved: an edit is a new version numbered `current_version + 1`, allocated under
the item's row lock, and UNIQUE(item_id, number) makes a lost race an error instead of a duplicate. The
content hash (SHA-256 of the body) names the exact text a reviewer approved, so an approval given for a
superseded version (a stale tab, a Slack button on an old message) can be refused.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


def _fk(target: str) -> Any:
    return sa.Column(sa.Uuid, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


def _tz(nullable: bool = False) -> Any:
    return Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=nullable)


class ContentItem(SQLModel, table=True):
    """A piece of content (a blog post, an email...) and where it is in review."""

    __tablename__ = "content_items"
    __table_args__ = (
        sa.Index("ix_content_items_space_state", "space_id", "state", "updated_at"),
        sa.Index(
            "ix_content_items_space_published",
            "space_id",
            "published_at",
            postgresql_where=sa.text("published_url IS NOT NULL"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(sa_column=_fk("organizations.id"))
    space_id: uuid.UUID = Field(sa_column=_fk("spaces.id"))
    title: str = Field(max_length=300)
    type: str = Field(max_length=16)
    state: str = Field(default="draft", max_length=24)
    current_version: int = Field(default=0)
    run_id: uuid.UUID | None = Field(default=None, nullable=True)
    created_by: uuid.UUID | None = Field(default=None, nullable=True)
    published_url: str | None = Field(default=None, max_length=2000, nullable=True)
    """Where the published text is live (http or https): its GA4 figures are read for this URL's path."""
    published_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    """When the item was first published: its GA4 figures count from that day."""
    created_at: datetime = _tz()
    updated_at: datetime = _tz()


class ContentVersion(SQLModel, table=True):
    """One saved text of an item, immutable, with the scores it got when it was saved."""

    __tablename__ = "content_versions"
    __table_args__ = (sa.UniqueConstraint("item_id", "number", name="uq_content_versions_item_number"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    item_id: uuid.UUID = Field(sa_column=_fk("content_items.id"))
    organization_id: uuid.UUID = Field(nullable=False)
    space_id: uuid.UUID = Field(nullable=False, index=True)
    number: int
    body: str = Field(sa_type=sa.Text)
    content_hash: str = Field(max_length=64)
    scores: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB, nullable=False)
    voice_score: int | None = Field(default=None, nullable=True)
    unsupported_claims: int | None = Field(default=None, nullable=True)
    """Both copied out of `scores` so lists and the approval gate read a column, not the JSON."""
    created_by: uuid.UUID | None = Field(default=None, nullable=True)
    run_id: uuid.UUID | None = Field(default=None, nullable=True)
    model: str | None = Field(default=None, max_length=200, nullable=True)
    prompt_version: str | None = Field(default=None, max_length=100, nullable=True)
    note: str | None = Field(default=None, max_length=500, nullable=True)
    created_at: datetime = _tz()


class ContentTransition(SQLModel, table=True):
    """One move of the review workflow: who did what to which version, when, and why."""

    __tablename__ = "content_transitions"
    __table_args__ = (sa.Index("ix_content_transitions_item", "item_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    item_id: uuid.UUID = Field(sa_column=_fk("content_items.id"))
    organization_id: uuid.UUID = Field(nullable=False)
    space_id: uuid.UUID = Field(nullable=False, index=True)
    action: str = Field(max_length=24)
    from_state: str = Field(max_length=24)
    to_state: str = Field(max_length=24)
    version: int
    content_hash: str = Field(max_length=64)
    actor_id: uuid.UUID | None = Field(default=None, nullable=True)
    actor_label: str | None = Field(default=None, max_length=320, nullable=True)
    note: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    override: bool = Field(default=False)
    """An approval given although claims were unsupported, with the approver's written reason in `note`."""
    created_at: datetime = _tz()


class ContentComment(SQLModel, table=True):
    """A reviewer's or author's comment on an item (optionally on one version)."""

    __tablename__ = "content_comments"
    __table_args__ = (sa.Index("ix_content_comments_item", "item_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    item_id: uuid.UUID = Field(sa_column=_fk("content_items.id"))
    organization_id: uuid.UUID = Field(nullable=False)
    space_id: uuid.UUID = Field(nullable=False, index=True)
    version: int | None = Field(default=None, nullable=True)
    author_id: uuid.UUID | None = Field(default=None, nullable=True)
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = _tz()


class ContentSettings(SQLModel, table=True):
    """A space's review policy. No row means the defaults (approval does not require supported claims)."""

    __tablename__ = "content_settings"

    space_id: uuid.UUID = Field(
        sa_column=sa.Column(sa.Uuid, sa.ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True)
    )
    organization_id: uuid.UUID = Field(nullable=False)
    require_supported_claims: bool = Field(default=False)
    updated_by: uuid.UUID | None = Field(default=None, nullable=True)
    updated_at: datetime = _tz()


__all__ = ["ContentComment", "ContentItem", "ContentSettings", "ContentTransition", "ContentVersion"]
