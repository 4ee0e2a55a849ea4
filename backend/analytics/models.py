"""GA4 tables: a space's connection (its tokens, encrypted) and the pending OAuth states of Connect links.

Both are space-scoped tenant tables under forced row-level security (migration 0011_analytics). Tokens are
AES-GCM encrypted under the master key (`backend.auth.crypto`) with the space id and the token's role as
associated data, so a blob copied into another space's row does not decrypt.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

CONNECTED = "connected"
NEEDS_RECONNECT = "needs_reconnect"


def _now() -> datetime:
    return datetime.now(UTC)


def _fk(target: str, **kwargs: Any) -> Any:
    return sa.Column(sa.Uuid, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False, **kwargs)


class Ga4Connection(SQLModel, table=True):
    """One space's GA4 grant: one per space; `status` turns to needs_reconnect when Google drops the grant."""

    __tablename__ = "ga4_connections"
    __table_args__ = (sa.CheckConstraint(f"status IN ('{CONNECTED}', '{NEEDS_RECONNECT}')", name="ck_ga4_status"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(sa_column=_fk("organizations.id"))
    space_id: uuid.UUID = Field(sa_column=_fk("spaces.id", unique=True))
    refresh_token_encrypted: bytes = Field(sa_type=sa.LargeBinary, nullable=False)
    access_token_encrypted: bytes | None = Field(default=None, sa_type=sa.LargeBinary, nullable=True)
    access_expires_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    scope: str = Field(default="", sa_type=sa.Text, nullable=False)
    property_id: str | None = Field(default=None, max_length=32, nullable=True)
    property_name: str | None = Field(default=None, max_length=300, nullable=True)
    status: str = Field(default=CONNECTED, max_length=16)
    last_error: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    connected_by: uuid.UUID | None = Field(default=None, nullable=True)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)
    updated_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


class Ga4OAuthState(SQLModel, table=True):
    """A Connect link in flight: only the SHA-256 of its state is stored; deleted when used (single use)."""

    __tablename__ = "ga4_oauth_states"

    state_hash: str = Field(primary_key=True, max_length=64)
    organization_id: uuid.UUID = Field(sa_column=_fk("organizations.id"))
    space_id: uuid.UUID = Field(sa_column=_fk("spaces.id", index=True))
    user_id: uuid.UUID = Field(sa_column=_fk("users.id"))
    code_verifier_encrypted: bytes = Field(sa_type=sa.LargeBinary, nullable=False)
    return_to: str = Field(default="", max_length=200)
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


__all__ = ["CONNECTED", "NEEDS_RECONNECT", "Ga4Connection", "Ga4OAuthState"]
