"""The set of revoked token ids, shared by every worker through the security store (Redis when REDIS_URL is
set), which keeps an entry until it expires however full the content cache gets.

An entry lives exactly as long as the token could still be accepted (its remaining life plus the
verification leeway), so the set never grows beyond the tokens that are both revoked and unexpired.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from backend.core.cache import get_security_cache

# Verification accepts a token up to this many seconds past `exp` (clock skew between machines), so a
# revocation must outlive `exp` by as much.
VERIFY_LEEWAY_SECONDS = 10
_KEY_PREFIX = "revoked:jti:"


def _key(jti: str) -> str:
    if not jti:
        raise ValueError("a token id (jti) is required")
    return _KEY_PREFIX + jti


async def revoke(jti: str, expires_at: datetime) -> None:
    """Revoke the token `jti` everywhere until it expires; a token that can no longer verify is left alone."""
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    key = _key(jti)
    remaining = (expires_at - datetime.now(UTC)).total_seconds() + VERIFY_LEEWAY_SECONDS
    if remaining <= 0:
        return
    await get_security_cache().set(key, "1", ttl=remaining)


async def revoke_claims(claims: Mapping[str, Any]) -> None:
    """Revoke the token these verified claims came from (log-out): its `jti` until its `exp`."""
    await revoke(str(claims["jti"]), datetime.fromtimestamp(int(claims["exp"]), UTC))


async def is_revoked(jti: str) -> bool:
    """True when `jti` was revoked and the revocation has not lapsed."""
    return await get_security_cache().exists(_key(jti))


__all__ = ["VERIFY_LEEWAY_SECONDS", "is_revoked", "revoke", "revoke_claims"]
