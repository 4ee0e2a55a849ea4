"""Log-in throttling: attempts counted atomically before the password check, a doubling delay per account
and client after LOGIN_MAX_FAILURES (never a lock-out of the owner), a client-wide limit, trusted proxies."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from backend.auth.throttle import LoginAttempt, admit_login_attempt, attempt_succeeded
from backend.core import cache as cache_module
from backend.core.cache import MemoryBroker, MemoryCache, RedisBroker, RedisCache
from backend.core.clients import client_address
from backend.core.config import get_settings
from backend.core.errors import RateLimited


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "login_max_failures", 3)
    monkeypatch.setattr(settings, "login_ip_max_failures", 5)
    monkeypatch.setattr(settings, "login_window_seconds", 600)


@pytest.fixture
def clock(limits: None) -> Iterator[Clock]:
    """An in-process cache on a clock the test moves: delays are checked without waiting for them."""
    clock = Clock()
    cache_module.set_cache_and_broker(MemoryCache(), MemoryBroker(), security=MemoryCache(clock=clock))
    yield clock
    cache_module.set_cache_and_broker(None, None)


async def fail(email: str, client: str, times: int) -> list[int]:
    return [(await admit_login_attempt(email, client)).count for _ in range(times)]


async def refused(email: str, client: str) -> RateLimited:
    with pytest.raises(RateLimited) as caught:
        await admit_login_attempt(email, client)
    return caught.value


async def _burst(n: int) -> list[LoginAttempt | BaseException]:
    return await asyncio.gather(*(admit_login_attempt("ana@example.com", "10.0.0.1") for _ in range(n)),
                                return_exceptions=True)  # fmt: skip


async def test_a_concurrent_burst_gets_only_the_free_attempts(limits: None) -> None:
    outcomes = await _burst(150)
    admitted = [o for o in outcomes if isinstance(o, LoginAttempt)]
    assert len(admitted) == get_settings().login_max_failures == 3
    assert all(isinstance(o, RateLimited) for o in outcomes if not isinstance(o, LoginAttempt))


async def test_a_concurrent_burst_on_redis_gets_only_the_free_attempts(limits: None, redis_url: str) -> None:
    cache_module.set_cache_and_broker(RedisCache(redis_url, "throttle"), RedisBroker(redis_url, "throttle"))
    try:
        outcomes = await _burst(150)
        assert sum(isinstance(o, LoginAttempt) for o in outcomes) == 3
    finally:
        await cache_module.get_cache().close()
        cache_module.set_cache_and_broker(None, None)


@pytest.fixture
def many_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "login_ip_max_failures", 1000)


async def test_after_the_free_attempts_the_delay_doubles(clock: Clock, many_clients: None) -> None:
    assert await fail("ana@example.com", "10.0.0.1", 3) == [1, 2, 3]
    for delay in (1, 2, 4, 8):
        wait = await refused("ana@example.com", "10.0.0.1")
        assert wait.retry_after == delay and wait.code == "too_many_login_attempts"
        assert f"{delay} second" in wait.message
        clock.now += delay
        await admit_login_attempt("ana@example.com", "10.0.0.1")


async def test_the_attempts_are_free_again_when_the_window_ends(clock: Clock, many_clients: None) -> None:
    await fail("ana@example.com", "10.0.0.1", 3)
    await refused("ana@example.com", "10.0.0.1")
    clock.now += 601
    assert (await admit_login_attempt("ana@example.com", "10.0.0.1")).count == 1


async def test_an_attacker_cannot_lock_the_owner_out(clock: Clock) -> None:
    await fail("ana@example.com", "203.0.113.66", 3)
    await refused("ana@example.com", "203.0.113.66")
    await admit_login_attempt("ana@example.com", "10.0.0.1")  # the owner, from her own address


async def test_success_clears_the_pair_and_gives_the_client_its_attempt_back(clock: Clock) -> None:
    await fail("ana@example.com", "10.0.0.1", 2)
    attempt = await admit_login_attempt("ana@example.com", "10.0.0.1")
    await attempt_succeeded(attempt)
    assert await fail("ana@example.com", "10.0.0.1", 3) == [1, 2, 3]
    # Five per client: 2 failures + 1 success (given back) + 3 failures = 5 counted.
    await refused("zed@example.com", "10.0.0.1")


async def test_email_is_counted_case_insensitively(clock: Clock) -> None:
    await admit_login_attempt("Ana@Example.com", "10.0.0.1")
    await admit_login_attempt(" ana@example.COM ", "10.0.0.1")
    assert (await admit_login_attempt("ANA@EXAMPLE.COM", "10.0.0.1")).count == 3


async def test_a_client_spraying_accounts_is_refused_until_the_window_ends(clock: Clock) -> None:
    for n in range(5):
        await admit_login_attempt(f"user{n}@example.com", "203.0.113.9")
    wait = await refused("someone-new@example.com", "203.0.113.9")
    assert wait.retry_after == 600
    await admit_login_attempt("someone-new@example.com", "203.0.113.10")
    clock.now += 601
    await admit_login_attempt("someone-new@example.com", "203.0.113.9")


async def test_ipv6_clients_are_counted_per_64(clock: Clock) -> None:
    for n in range(5):
        await admit_login_attempt(f"user{n}@example.com", f"2001:db8:1:2::{n + 1:x}")
    await refused("new@example.com", "2001:db8:1:2:ffff::1")
    await admit_login_attempt("new@example.com", "2001:db8:1:3::1")  # another /64


async def test_ipv4_mapped_addresses_count_as_ipv4(clock: Clock) -> None:
    for n in range(5):
        await admit_login_attempt(f"user{n}@example.com", "::ffff:198.51.100.7")
    await refused("new@example.com", "198.51.100.7")


async def test_an_unknown_client_has_no_shared_client_bucket(clock: Clock) -> None:
    for n in range(10):
        await admit_login_attempt(f"user{n}@example.com", "")
    await admit_login_attempt("new@example.com", "")


async def test_the_same_answer_for_both_limits(clock: Clock) -> None:
    await fail("ana@example.com", "10.0.0.1", 3)
    pair = await refused("ana@example.com", "10.0.0.1")
    for n in range(5):
        await admit_login_attempt(f"user{n}@example.com", "10.0.0.3")
    client = await refused("zed@example.com", "10.0.0.3")
    assert pair.code == client.code == "too_many_login_attempts"
    assert pair.message.split(" Try")[0] == client.message.split(" Try")[0]


async def test_cache_holds_no_email_addresses(clock: Clock) -> None:
    await admit_login_attempt("ana@example.com", "10.0.0.1")
    cache = cache_module.get_security_cache()
    assert isinstance(cache, MemoryCache)
    assert not any("ana" in key for key in cache._data)


# --- the client address behind proxies -----------------------------------------------------------


def test_forwarded_for_is_ignored_without_trusted_proxies() -> None:
    assert client_address("198.51.100.7", "1.2.3.4") == "198.51.100.7"


def test_forwarded_for_is_ignored_from_an_untrusted_peer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "trusted_proxies", "10.0.0.0/8")
    assert client_address("198.51.100.7", "1.2.3.4") == "198.51.100.7"


def test_the_first_untrusted_hop_from_the_right_is_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "trusted_proxies", "10.0.0.0/8, 192.0.2.5")
    # A client-forged "6.6.6.6" on the left is not believed: the balancer appended the real address.
    assert client_address("10.0.0.2", "6.6.6.6, 203.0.113.9, 192.0.2.5") == "203.0.113.9"
    assert client_address("10.0.0.2", "") == "10.0.0.2"
    assert client_address(None, "1.2.3.4") == "unknown"


def test_a_bad_trusted_proxies_setting_is_refused() -> None:
    from pydantic import ValidationError

    from backend.core.config import Settings

    with pytest.raises(ValidationError):
        Settings(trusted_proxies="10.0.0.0/8, not-an-address")
