"""Slack tables: one connection per space, and one row per review message posted in Slack.

Both are tenant tables under forced row-level security (migration 0010_slack). The bot token and the signing
secret are stored AES-GCM encrypted under the master key, bound to their space and purpose
(`backend.auth.crypto`), so a blob copied to another row or space does not decrypt.

A review row is the only place the message's channel and `ts` are kept: the original message is edited with
`chat.update` on them (a `response_url` allows only five uses in 30 minutes). Its `version_hash` is the hash of
the version the message shows: an approval applies to that version and to no other.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

ReviewStatus = Literal["pending", "approved", "changes_requested", "revising", "revised", "superseded"]
REVIEW_STATUSES: tuple[str, ...] = ("pending", "approved", "changes_requested", "revising", "revised", "superseded")
OPEN_STATUSES: tuple[str, ...] = ("pending",)


def _now() -> datetime:
    return datetime.now(UTC)


def _fk(target: str) -> Any:
    return sa.Column(sa.Uuid, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


class SlackConnection(SQLModel, table=True):
    """A space's Slack workspace: encrypted credentials, the review channel and the team's name."""

    __tablename__ = "slack_connections"
    __table_args__ = (sa.UniqueConstraint("space_id", name="uq_slack_connections_space"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(sa_column=_fk("organizations.id"))
    space_id: uuid.UUID = Field(sa_column=_fk("spaces.id"))
    team_id: str = Field(max_length=32)
    team_name: str = Field(max_length=200)
    bot_user_id: str = Field(default="", max_length=32)
    channel: str = Field(max_length=80)
    """The review channel's id (a #name in rows stored before channels were checked; empty until one is picked)."""
    channel_name: str = Field(default="", max_length=80, sa_column_kwargs={"server_default": ""})
    bot_token_encrypted: bytes = Field(sa_type=sa.LargeBinary, nullable=False)
    signing_secret_encrypted: bytes = Field(sa_type=sa.LargeBinary, nullable=False)
    installed_via: str = Field(default="token", max_length=16)
    installed_by: uuid.UUID | None = Field(default=None, nullable=True)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)
    updated_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


class SlackReview(SQLModel, table=True):
    """One review message in Slack: which version it shows, where it is, and how it was decided."""

    __tablename__ = "slack_reviews"
    __table_args__ = (
        sa.UniqueConstraint("space_id", "channel", "ts", name="uq_slack_reviews_message"),
        sa.Index("ix_slack_reviews_space_item", "space_id", "content_item_id", "created_at"),
        sa.Index("ix_slack_reviews_pending", "status", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(sa_column=_fk("organizations.id"))
    space_id: uuid.UUID = Field(sa_column=_fk("spaces.id"))
    content_item_id: uuid.UUID = Field(sa_column=_fk("content_items.id"))
    version_number: int
    version_hash: str = Field(max_length=64)
    channel: str = Field(max_length=80)
    ts: str = Field(max_length=32)
    status: str = Field(default="pending", max_length=20)
    sent_by: uuid.UUID | None = Field(default=None, nullable=True)
    decided_by_slack_user: str | None = Field(default=None, max_length=64, nullable=True)
    decided_by_slack_name: str | None = Field(default=None, max_length=200, nullable=True)
    decided_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    notes: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    revised_version_number: int | None = Field(default=None, nullable=True)
    revision_error: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    reminded_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


__all__ = ["OPEN_STATUSES", "REVIEW_STATUSES", "ReviewStatus", "SlackConnection", "SlackReview"]
