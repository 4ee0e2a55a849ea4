"""The signing-key table. It lives here (not in tenancy) because `backend.auth` reads it and may not import
packages above it; `backend.tenancy.models` re-exports it so every table is reachable from one module.

Keys are not tenant data (one key set signs every organization's tokens), so the table has no row-level
security; private keys are stored encrypted with the master key (AES-GCM), or only referenced when they
live in Google Secret Manager.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

KeyState = Literal["current", "previous", "retired"]


def _now() -> datetime:
    return datetime.now(UTC)


class SigningKey(SQLModel, table=True):
    """One RS256 key pair. At most one row is `current` and at most one `previous` (partial unique indexes)."""

    __tablename__ = "signing_keys"
    __table_args__ = (
        sa.CheckConstraint("state IN ('current', 'previous', 'retired')", name="ck_signing_keys_state"),
        sa.Index("uq_signing_keys_current", "state", unique=True, postgresql_where=sa.text("state = 'current'")),
        sa.Index("uq_signing_keys_previous", "state", unique=True, postgresql_where=sa.text("state = 'previous'")),
    )

    kid: str = Field(primary_key=True, max_length=64)
    algorithm: str = Field(default="RS256", max_length=16)
    public_pem: str = Field(sa_type=sa.Text)
    private_key_encrypted: bytes | None = Field(
        default=None, sa_type=sa.LargeBinary, description="nonce || AES-GCM ciphertext of the PKCS#8 PEM"
    )
    secret_ref: str | None = Field(default=None, max_length=500, description="Secret Manager version name")
    state: str = Field(default="current", max_length=16)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)
    rotated_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)


__all__ = ["KeyState", "SigningKey"]
