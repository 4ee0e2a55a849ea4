"""Signing keys at rest: a new key's private half stored (AES-GCM under the master key, or as a Secret
Manager version the row only references), read back and checked against its public half, and the live rows.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from backend.auth import crypto
from backend.auth.jwk import ALGORITHM, generate_private_key, key_id, load_public_pem
from backend.auth.models import SigningKey
from backend.auth.secret_manager import get_secret_manager
from backend.core.config import get_settings
from backend.core.db import Database

logger = logging.getLogger(__name__)


def _associated_data(kid: str) -> bytes:
    # Binds the ciphertext to its row: a blob copied onto another key's row fails to decrypt.
    return f"signing_keys:{kid}".encode()


@dataclass(frozen=True)
class NewKey:
    """A freshly generated key whose private half is already stored (encrypted, or in Secret Manager)."""

    kid: str
    private_key: rsa.RSAPrivateKey
    public_pem: str
    private_key_encrypted: bytes | None
    secret_ref: str | None

    def row(self, state: str) -> SigningKey:
        return SigningKey(
            kid=self.kid,
            algorithm=ALGORITHM,
            public_pem=self.public_pem,
            private_key_encrypted=self.private_key_encrypted,
            secret_ref=self.secret_ref,
            state=state,
            created_at=datetime.now(UTC),
        )


async def new_key() -> NewKey:
    private_key = await asyncio.to_thread(generate_private_key)
    kid = key_id(private_key.public_key())
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = get_settings()
    if settings.key_backend == "gcp_secret_manager":
        ref = await get_secret_manager().store(
            f"{settings.gcp_secret_prefix}-{kid}", private_pem, labels={"app": "obelisk", "purpose": "jwt-signing"}
        )
        return NewKey(kid, private_key, public_pem, None, ref)
    encrypted = crypto.encrypt(private_pem, associated_data=_associated_data(kid))
    return NewKey(kid, private_key, public_pem, encrypted, None)


async def delete_secret_quietly(secret_ref: str) -> None:
    # The key is already unusable for signing; a secret left behind is clutter, not a failure to report
    # to the caller.
    try:
        await get_secret_manager().delete_secret_of(secret_ref)
    except Exception:
        logger.warning("could not delete a signing key's secret", extra={"secret_ref": secret_ref}, exc_info=True)


async def discard(new: NewKey) -> None:
    """Undo the part of a new key that lives outside the table, when its row was never written."""
    if new.secret_ref:
        await delete_secret_quietly(new.secret_ref)


async def private_key_of(row: SigningKey) -> rsa.RSAPrivateKey:
    if row.secret_ref:
        pem = await get_secret_manager().access(row.secret_ref)
    elif row.private_key_encrypted:
        pem = crypto.decrypt(row.private_key_encrypted, associated_data=_associated_data(row.kid))
    else:
        raise RuntimeError(f"signing key {row.kid} has no private key stored")
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise RuntimeError(f"signing key {row.kid} is not an RSA key")
    if key.public_key().public_numbers() != load_public_pem(row.public_pem).public_numbers():
        raise RuntimeError(f"the private key stored for signing key {row.kid} does not match its public key")
    return key


async def read_live(session: AsyncSession) -> dict[str, SigningKey]:
    result = await session.execute(select(SigningKey).where(col(SigningKey.state).in_(("current", "previous"))))
    return {row.state: row for row in result.scalars()}


async def live_rows(db: Database) -> dict[str, SigningKey]:
    async with db.session() as session:
        return await read_live(session)


__all__ = [
    "NewKey",
    "delete_secret_quietly",
    "discard",
    "live_rows",
    "new_key",
    "private_key_of",
    "read_live",
]
