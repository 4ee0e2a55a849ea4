"""Tenancy tables: organizations, users, memberships, spaces, invitations, the audit log.

Every table carries `organization_id` (spaces, space memberships, invitations also `space_id`), and
row-level security confines each to the transaction's organization (migration 0002_tenancy explains why
these administrative tables are organization-scoped while content tables are space-scoped). This module
only declares tables; reading and writing them is `backend.tenancy.repository` / `service`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from backend.auth.models import SigningKey

OrgRole = Literal["owner", "admin", "member"]
SpaceRole = Literal["admin", "editor", "viewer"]

ORG_ROLES: tuple[str, ...] = ("member", "admin", "owner")
SPACE_ROLES: tuple[str, ...] = ("viewer", "editor", "admin")


def _now() -> datetime:
    return datetime.now(UTC)


def _fk(target: str) -> Any:
    return sa.Column(sa.Uuid, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


class Organization(SQLModel, table=True):
    """A customer. Its brand voice is the default every space inherits (a space may override keys)."""

    __tablename__ = "organizations"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    brand_voice: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB, nullable=False)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


class User(SQLModel, table=True):
    """A person. A user belongs to exactly one organization (the token's `org_id`)."""

    __tablename__ = "users"
    __table_args__ = (sa.Index("uq_users_email_lower", sa.text("lower(email)"), unique=True),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(sa_column=_fk("organizations.id"))
    email: str = Field(max_length=320)
    name: str = Field(max_length=200)
    password_hash: str = Field(sa_type=sa.Text)
    # Bumped when the user loses a membership: every token issued before carries a lower number and is refused.
    token_generation: int = Field(default=0, sa_type=sa.Integer, nullable=False)
    disabled_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    # Set when the person clicked a link mailed to `email` (or accepted an invitation mailed there): only then
    # does the account keep the address against an invitation that proves it (`tenancy.verification`).
    email_verified_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    email_verification_hash: str | None = Field(default=None, max_length=64, nullable=True)
    email_verification_expires_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


class OrganizationMembership(SQLModel, table=True):
    """A user's role in their organization: owner and admin manage spaces and read the audit log."""

    __tablename__ = "organization_memberships"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "user_id", name="uq_org_memberships_org_user"),
        sa.CheckConstraint("role IN ('owner', 'admin', 'member')", name="ck_org_memberships_role"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(sa_column=_fk("organizations.id"))
    user_id: uuid.UUID = Field(sa_column=_fk("users.id"))
    role: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


class Space(SQLModel, table=True):
    """A workspace: every piece of content belongs to exactly one space and never leaves it."""

    __tablename__ = "spaces"
    __table_args__ = (sa.Index("ix_spaces_org_created", "organization_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(sa_column=_fk("organizations.id"))
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text, nullable=False)
    # Brand voice overrides for this space (tone, audience, values, preferred/banned terms, style rules,
    # example copy, guideline document ids): merged over the organization's voice into SpaceContext.
    brand_voice: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB, nullable=False)
    # Non-secret integration settings (Slack channel, GA4 property id...); secrets are stored encrypted elsewhere.
    integrations: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB, nullable=False)
    archived_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)
    updated_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


class SpaceMembership(SQLModel, table=True):
    """A user's role in one space: viewer reads, editor writes content, admin manages members."""

    __tablename__ = "space_memberships"
    __table_args__ = (
        sa.UniqueConstraint("space_id", "user_id", name="uq_space_memberships_space_user"),
        sa.CheckConstraint("role IN ('admin', 'editor', 'viewer')", name="ck_space_memberships_role"),
        sa.Index("ix_space_memberships_org_user", "organization_id", "user_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(sa_column=_fk("organizations.id"))
    space_id: uuid.UUID = Field(sa_column=_fk("spaces.id"))
    user_id: uuid.UUID = Field(sa_column=_fk("users.id"))
    role: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)
    updated_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


class Invitation(SQLModel, table=True):
    """An invitation to a space. Only the SHA-256 of the token is stored: a database leak gives no usable link."""

    __tablename__ = "invitations"
    __table_args__ = (
        sa.CheckConstraint("role IN ('admin', 'editor', 'viewer')", name="ck_invitations_role"),
        sa.Index("ix_invitations_space_created", "organization_id", "space_id", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(sa_column=_fk("organizations.id"))
    space_id: uuid.UUID = Field(sa_column=_fk("spaces.id"))
    email: str = Field(max_length=320)
    role: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    # The hash of a second token, sent only in the invitation's e-mail: accepting with it proves the address.
    mailed_token_hash: str | None = Field(default=None, max_length=64, nullable=True)
    invited_by: uuid.UUID | None = Field(default=None, nullable=True)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False)
    accepted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    accepted_by: uuid.UUID | None = Field(default=None, nullable=True)
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)


class AuditEntry(SQLModel, table=True):
    """Who did what, when, under which correlation id. System events (key rotation) have no organization and
    are visible to every organization's admins."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_org_created", "organization_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID | None = Field(
        default=None, sa_column=sa.Column(sa.Uuid, sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    )
    space_id: uuid.UUID | None = Field(default=None, nullable=True)
    actor_user_id: uuid.UUID | None = Field(default=None, nullable=True)
    actor_email: str | None = Field(default=None, max_length=320)
    action: str = Field(max_length=64)
    target: str | None = Field(default=None, max_length=500)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB, nullable=False)
    correlation_id: str | None = Field(default=None, max_length=128)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


__all__ = [
    "ORG_ROLES",
    "SPACE_ROLES",
    "AuditEntry",
    "Invitation",
    "OrgRole",
    "Organization",
    "OrganizationMembership",
    "SigningKey",
    "Space",
    "SpaceMembership",
    "SpaceRole",
    "User",
]
