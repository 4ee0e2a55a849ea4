"""AES-GCM encryption of secrets at rest under the master key (`get_settings().master_key_bytes()`)."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backend.core.config import get_settings

_NONCE_BYTES = 12


def encrypt(plaintext: bytes, *, associated_data: bytes, key: bytes | None = None) -> bytes:
    """`nonce || ciphertext+tag`. `associated_data` binds the ciphertext to its row (a swapped blob fails)."""
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(key or get_settings().master_key_bytes()).encrypt(nonce, plaintext, associated_data)


def decrypt(blob: bytes, *, associated_data: bytes, key: bytes | None = None) -> bytes:
    """Inverse of `encrypt`; raises RuntimeError when the key is wrong or the data was altered."""
    if len(blob) <= _NONCE_BYTES:
        raise RuntimeError("encrypted secret is truncated")
    try:
        return AESGCM(key or get_settings().master_key_bytes()).decrypt(
            blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], associated_data
        )
    except InvalidTag as exc:
        raise RuntimeError("cannot decrypt a stored secret: wrong MASTER_KEY or altered data") from exc


__all__ = ["decrypt", "encrypt"]
