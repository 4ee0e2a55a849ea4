"""Argon2id password hashing. Hashing costs tens of milliseconds of CPU, so it runs in a worker thread."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from backend.core.errors import ValidationFailed

MIN_PASSWORD_LENGTH = 8
# Argon2 hashes whatever it is given; a cap keeps a megabyte "password" from becoming a CPU sink.
MAX_PASSWORD_LENGTH = 256


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended parameters


def validate_password(password: str) -> None:
    """Refuse passwords that are too short or absurdly long, with a message a person can act on."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.", code="weak_password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"The password must be at most {MAX_PASSWORD_LENGTH} characters long.", code="password_too_long"
        )
    if not password.strip():
        raise ValidationFailed("The password cannot be only spaces.", code="weak_password")


async def hash_password(password: str) -> str:
    """Validate and hash a new password."""
    validate_password(password)
    return await asyncio.to_thread(_hasher().hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; never raises for a wrong password or a malformed stored hash."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return await asyncio.to_thread(_hasher().verify, password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("obelisk-timing-equaliser")


async def burn_verification_time(password: str) -> None:
    """Spend the time of a real verification, so an unknown email answers as slowly as a wrong password."""
    dummy = await asyncio.to_thread(_dummy_hash)
    await verify_password(dummy, password)


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash used weaker parameters than the current ones."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "burn_verification_time",
    "hash_password",
    "needs_rehash",
    "validate_password",
    "verify_password",
]
