"""Log-in throttling: attempts are counted atomically *before* the password is checked.

Two limits, both counted with one atomic increment per attempt, so a burst of concurrent guesses is
admitted no faster than one guess at a time:

  * per account and client address: LOGIN_MAX_FAILURES attempts are free; after them every attempt must
    wait a delay that doubles each time (1 s, 2 s, 4 s, ... up to LOGIN_WINDOW_SECONDS). The pair, not the
    account alone, is slowed: an attacker guessing a colleague's password slows only their own guesses,
    and the owner signing in from their own address is never locked out by someone else's failures;
  * per client address over all accounts: LOGIN_IP_MAX_FAILURES attempts in the window, then 429 until
    the window ends (one address spraying many accounts; higher because offices share an address).

A successful log-in takes its attempt back (the pair counter is cleared, the client's decremented), so the
counters end up counting failures. Unknown emails are counted like known ones, so the answer reveals
nothing about which accounts exist. The counters live in the security store (`get_security_cache`), which
never evicts a counter before its window ends; with Redis every worker shares them.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass

from backend.core.cache import get_security_cache
from backend.core.config import get_settings
from backend.core.errors import RateLimited

_PAIR_PREFIX = "login:attempts:pair:"
_GATE_PREFIX = "login:gate:pair:"
_CLIENT_PREFIX = "login:attempts:client:"
_SIGNUP_PREFIX = "signup:attempts:client:"
# One IPv6 subscriber usually holds a whole /64: counting single addresses would let it rotate freely.
_IPV6_PREFIX_BITS = 64


def _counted_email(email: str) -> str:
    """The form an account is counted under: trimmed and lower-case."""
    return email.strip().lower()


def _client_id(client: str) -> str | None:
    client = client.strip()
    if not client:
        return None
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return hashlib.sha256(client.encode()).hexdigest()
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{_IPV6_PREFIX_BITS}", strict=False))
    return str(address)


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """An admitted attempt; a wrong password leaves it counted, a right one hands it to `attempt_succeeded`."""

    pair_key: str
    gate_key: str
    client_key: str | None
    count: int
    """This attempt's number for the account from this client in the current window."""


def _keys(email: str, client: str) -> tuple[str, str, str | None]:
    client_id = _client_id(client)
    # Hashed so the shared cache holds no email addresses.
    pair = hashlib.sha256(f"{_counted_email(email)}\n{client_id or ''}".encode()).hexdigest()
    return _PAIR_PREFIX + pair, _GATE_PREFIX + pair, None if client_id is None else _CLIENT_PREFIX + client_id


def _refuse(retry_after: float) -> RateLimited:
    seconds = max(1, math.ceil(retry_after))
    if seconds < 60:
        wait = f"{seconds} second{'s' if seconds != 1 else ''}"
    else:
        minutes = math.ceil(seconds / 60)
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    # One message for both limits: which one tripped is of no use to a person and of some to a bot.
    return RateLimited(
        f"Too many failed sign-in attempts. Try again in {wait}.", retry_after=seconds, code="too_many_login_attempts"
    )


def delay_after(count: int) -> float:
    """Seconds the attempt after attempt number `count` must wait: 0 for the free ones, then 1, 2, 4, ..."""
    settings = get_settings()
    over = count - settings.login_max_failures
    if over < 0:
        return 0.0
    return float(min(settings.login_window_seconds, 2 ** min(over, 30)))


async def admit_login_attempt(email: str, client: str) -> LoginAttempt:
    """Count an attempt before its password is checked; raise `RateLimited` (429, `retry_after`) if it must wait.

    An empty `client` (address unknown) has no client-wide counter, so callers without an address do not
    all share one bucket; they are still slowed per account.
    """
    settings = get_settings()
    cache = get_security_cache()
    window = settings.login_window_seconds
    pair_key, gate_key, client_key = _keys(email, client)
    if client_key is not None:
        attempts = await cache.incr(client_key, ttl=window)
        if attempts > settings.login_ip_max_failures:
            await cache.decr(client_key)  # a refused attempt is not a guess
            raise _refuse(await cache.ttl(client_key) or window)
    waiting = await cache.ttl(gate_key)
    if waiting:
        if client_key is not None:
            await cache.decr(client_key)
        raise _refuse(waiting)
    count = await cache.incr(pair_key, ttl=window)
    delay = delay_after(count)
    # The gate is taken with SET NX: of concurrent attempts past the free ones, exactly one gets through.
    if delay and not await cache.add(gate_key, "1", ttl=delay):
        await cache.decr(pair_key)
        if client_key is not None:
            await cache.decr(client_key)
        raise _refuse(await cache.ttl(gate_key) or delay)
    return LoginAttempt(pair_key=pair_key, gate_key=gate_key, client_key=client_key, count=count)


async def attempt_succeeded(attempt: LoginAttempt) -> None:
    """The password was right: the account starts afresh from this client, and the client gets its attempt back."""
    cache = get_security_cache()
    await cache.delete(attempt.pair_key, attempt.gate_key)
    if attempt.client_key is not None:
        await cache.decr(attempt.client_key)


async def admit_sign_up(client: str) -> str | None:
    """Count a sign-up from `client` before it is tried; 429 once SIGNUP_MAX_FAILURES have failed in the window.

    Sign-up has to say when an address already has an account (the person should sign in instead), so each
    answer can tell a prober whether an address is registered. Counting the sign-ups that did not succeed per
    client address caps that at a handful of addresses per window, while a team creating organizations from
    one office is never slowed (a successful sign-up gives its attempt back). Counted before the work, like
    log-ins, so a concurrent burst gets no more answers than one attempt at a time. Answers the key to hand to
    `sign_up_succeeded` (None when the client's address is unknown: nothing is counted)."""
    client_id = _client_id(client)
    if client_id is None:
        return None
    settings = get_settings()
    cache = get_security_cache()
    key = _SIGNUP_PREFIX + client_id
    window = settings.signup_window_seconds
    if await cache.incr(key, ttl=window) > settings.signup_max_failures:
        await cache.decr(key)
        seconds = max(1, math.ceil(await cache.ttl(key) or window))
        minutes = math.ceil(seconds / 60)
        raise RateLimited(
            f"Too many sign-up attempts from your network. Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            retry_after=seconds,
            code="too_many_signups",
        )
    return key


async def sign_up_succeeded(key: str | None) -> None:
    """The account was created: the client gets its attempt back."""
    if key is not None:
        await get_security_cache().decr(key)


__all__ = [
    "LoginAttempt",
    "admit_login_attempt",
    "admit_sign_up",
    "attempt_succeeded",
    "delay_after",
    "sign_up_succeeded",
]
