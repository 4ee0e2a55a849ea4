"""The revocation set in the in-process cache (the Redis path is covered in tests/db/test_revocation_redis.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.auth.revocation import VERIFY_LEEWAY_SECONDS, is_revoked, revoke, revoke_claims
from backend.core.cache import get_security_cache


async def test_revoked_jti_is_seen_and_others_are_not() -> None:
    await revoke("jti-1", datetime.now(UTC) + timedelta(hours=1))
    assert await is_revoked("jti-1")
    assert not await is_revoked("jti-2")


async def test_revocation_lasts_the_tokens_remaining_life_plus_the_leeway() -> None:
    await revoke("jti-1", datetime.now(UTC) + timedelta(minutes=30))
    remaining = await get_security_cache().ttl("revoked:jti:jti-1")
    assert remaining is not None
    assert 30 * 60 + VERIFY_LEEWAY_SECONDS - 5 <= remaining <= 30 * 60 + VERIFY_LEEWAY_SECONDS


async def test_revoking_an_expired_token_is_a_no_op() -> None:
    await revoke("jti-old", datetime.now(UTC) - timedelta(hours=1))
    assert not await is_revoked("jti-old")
    assert await get_security_cache().ttl("revoked:jti:jti-old") is None


async def test_a_token_just_past_exp_but_within_the_leeway_is_still_revoked() -> None:
    """Verification accepts a token a few seconds past exp, so revocation must cover those seconds too."""
    await revoke("jti-edge", datetime.now(UTC) - timedelta(seconds=2))
    assert await is_revoked("jti-edge")


async def test_revoke_claims_uses_jti_and_exp() -> None:
    exp = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
    await revoke_claims({"jti": "jti-claims", "exp": exp, "sub": "user-1"})
    assert await is_revoked("jti-claims")


async def test_naive_expiry_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        await revoke("jti-1", datetime.now() + timedelta(hours=1))


async def test_empty_jti_is_refused() -> None:
    with pytest.raises(ValueError, match="jti"):
        await revoke("", datetime.now(UTC) + timedelta(hours=1))


async def test_a_full_content_cache_never_evicts_a_revocation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Searches with fresh URLs fill the cache; a logged-out token must stay logged out all the same."""
    from backend.core import cache as cache_module
    from backend.core.config import get_settings

    monkeypatch.setattr(get_settings(), "cache_max_mb", 1, raising=False)
    cache_module.set_cache_and_broker(None, None)  # the process-wide defaults, as in production without Redis
    await revoke("logged-out", datetime.now(UTC) + timedelta(hours=1))
    content = cache_module.get_cache()
    for n in range(100_500):
        await content.set(f"retrieval:url:{n}", "x" * 100, ttl=3600)
    assert await is_revoked("logged-out")


async def test_the_content_cache_is_capped_by_bytes() -> None:
    from backend.core.cache import MemoryCache

    cache = MemoryCache(max_bytes=100_000)
    for n in range(200):
        await cache.set(f"page:{n}", "x" * 5_000, ttl=3600)
    assert cache._data.currsize <= 100_000
    assert await cache.get("page:199") is not None and await cache.get("page:0") is None
    await cache.set("huge", "x" * 200_000, ttl=3600)  # bigger than the whole cache: simply not kept
    assert await cache.get("huge") is None
