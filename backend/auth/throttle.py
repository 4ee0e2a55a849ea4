"""Log-in throttling: failed attempts counted per account and per client address in a fixed window.

The account counter stops password guessing against one person (LOGIN_MAX_FAILURES); the client counter
stops one address spraying many accounts (LOGIN_IP_MAX_FAILURES, higher because offices share an address).
Counters live in the cache, so with Redis every worker sees the same counts. Failures are counted for
unknown emails as well, so the lock-out reveals nothing about which accounts exist.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math

from backend.core.cache import get_cache
from backend.core.config import get_settings
from backend.core.errors import RateLimited

_ACCOUNT_PREFIX = "login:fail:account:"
_CLIENT_PREFIX = "login:fail:client:"
# One IPv6 subscriber usually holds a whole /64: counting single addresses would let it rotate freely.
_IPV6_PREFIX_BITS = 64


def _counted_email(email: str) -> str:
    """The form an account is counted under: trimmed and lower-case."""
    return email.strip().lower()


def _account_key(email: str) -> str:
    # Hashed so the shared cache holds no email addresses.
    return _ACCOUNT_PREFIX + hashlib.sha256(_counted_email(email).encode()).hexdigest()


def _client_key(client: str) -> str | None:
    client = client.strip()
    if not client:
        return None
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return _CLIENT_PREFIX + hashlib.sha256(client.encode()).hexdigest()
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv6Address):
        return _CLIENT_PREFIX + str(ipaddress.ip_network(f"{address}/{_IPV6_PREFIX_BITS}", strict=False))
    return _CLIENT_PREFIX + str(address)


async def _locked_for(key: str, limit: int) -> int | None:
    """Seconds until the window of `key` ends when its count reached `limit`, else None."""
    cache = get_cache()
    raw = await cache.get(key)
    if raw is None or int(raw) < limit:
        return None
    remaining = await cache.ttl(key)
    return max(1, math.ceil(remaining if remaining is not None else get_settings().login_window_seconds))


async def check_login_allowed(email: str, client: str) -> None:
    """Raise `RateLimited` (429, with `retry_after` seconds) when the account or the client is locked out.

    Call it before checking the password. An empty `client` (address unknown) is not counted, so callers
    without an address do not all share one bucket.
    """
    settings = get_settings()
    retry_after = await _locked_for(_account_key(email), settings.login_max_failures)
    client_key = _client_key(client)
    if retry_after is None and client_key is not None:
        retry_after = await _locked_for(client_key, settings.login_ip_max_failures)
    if retry_after is not None:
        # One message for both locks: which counter tripped is of no use to a person and of some to a bot.
        minutes = max(1, math.ceil(retry_after / 60))
        raise RateLimited(
            f"Too many failed sign-in attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            retry_after=retry_after,
            code="too_many_login_attempts",
        )


async def record_login_failure(email: str, client: str) -> int:
    """Count a failed log-in; returns the account's failures in the current window."""
    settings = get_settings()
    cache = get_cache()
    window = settings.login_window_seconds
    client_key = _client_key(client)
    if client_key is not None:
        await cache.incr(client_key, ttl=window)
    return await cache.incr(_account_key(email), ttl=window)


async def reset_login_failures(email: str) -> None:
    """Forget the account's failures after a successful log-in (the client's count stays: it may be spraying)."""
    await get_cache().delete(_account_key(email))


__all__ = ["check_login_allowed", "record_login_failure", "reset_login_failures"]
