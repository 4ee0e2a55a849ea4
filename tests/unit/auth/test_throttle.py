"""Log-in throttling: an account locks after LOGIN_MAX_FAILURES, a client address after LOGIN_IP_MAX_FAILURES."""

from __future__ import annotations

import asyncio

import pytest

from backend.auth.throttle import check_login_allowed, record_login_failure, reset_login_failures
from backend.core.config import get_settings
from backend.core.errors import RateLimited


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "login_max_failures", 3)
    monkeypatch.setattr(settings, "login_ip_max_failures", 5)
    monkeypatch.setattr(settings, "login_window_seconds", 600)


async def fail(email: str, client: str, times: int) -> list[int]:
    return [await record_login_failure(email, client) for _ in range(times)]


async def test_account_locks_after_the_limit_with_a_clear_429(limits: None) -> None:
    assert await fail("ana@example.com", "10.0.0.1", 2) == [1, 2]
    await check_login_allowed("ana@example.com", "10.0.0.1")  # still allowed below the limit
    assert await fail("ana@example.com", "10.0.0.1", 1) == [3]
    with pytest.raises(RateLimited) as caught:
        await check_login_allowed("ana@example.com", "10.0.0.1")
    error = caught.value
    assert error.status_code == 429
    assert error.code == "too_many_login_attempts"
    assert "Try again in 10 minutes" in error.message
    assert 590 <= error.retry_after <= 600
    assert error.to_dict()["error"]["code"] == "too_many_login_attempts"


async def test_account_lock_follows_the_person_to_any_address(limits: None) -> None:
    await fail("ana@example.com", "10.0.0.1", 3)
    with pytest.raises(RateLimited):
        await check_login_allowed("ana@example.com", "192.0.2.77")


async def test_email_is_counted_case_and_space_insensitively(limits: None) -> None:
    await record_login_failure("Ana@Example.com", "10.0.0.1")
    await record_login_failure(" ana@example.COM ", "10.0.0.2")
    assert await record_login_failure("ANA@EXAMPLE.COM", "10.0.0.3") == 3
    with pytest.raises(RateLimited):
        await check_login_allowed("ana@example.com", "10.0.0.4")


async def test_other_accounts_are_not_affected(limits: None) -> None:
    await fail("ana@example.com", "10.0.0.1", 3)
    await check_login_allowed("bob@example.com", "10.0.0.2")


async def test_success_resets_the_account_but_not_the_client(limits: None) -> None:
    await fail("ana@example.com", "10.0.0.1", 3)
    await reset_login_failures("ANA@example.com")
    await check_login_allowed("ana@example.com", "10.0.0.9")
    assert await record_login_failure("ana@example.com", "10.0.0.9") == 1
    # The address that failed three times keeps its count: a sprayer cannot clear it with one good login.
    await fail("carol@example.com", "10.0.0.1", 2)
    with pytest.raises(RateLimited):
        await check_login_allowed("dave@example.com", "10.0.0.1")


async def test_client_spraying_many_accounts_is_locked(limits: None) -> None:
    for n in range(5):
        await record_login_failure(f"user{n}@example.com", "203.0.113.9")
    with pytest.raises(RateLimited) as caught:
        await check_login_allowed("someone-new@example.com", "203.0.113.9")
    assert caught.value.status_code == 429
    await check_login_allowed("someone-new@example.com", "203.0.113.10")


async def test_ipv6_addresses_of_one_subscriber_share_a_bucket(limits: None) -> None:
    for n in range(5):
        await record_login_failure(f"user{n}@example.com", f"2001:db8:1:2::{n + 1:x}")
    with pytest.raises(RateLimited):
        await check_login_allowed("new@example.com", "2001:db8:1:2:ffff::1")
    await check_login_allowed("new@example.com", "2001:db8:1:3::1")  # another /64


async def test_ipv4_mapped_ipv6_counts_as_the_ipv4_address(limits: None) -> None:
    for n in range(5):
        await record_login_failure(f"user{n}@example.com", "::ffff:198.51.100.7")
    with pytest.raises(RateLimited):
        await check_login_allowed("new@example.com", "198.51.100.7")


async def test_unknown_client_address_is_not_one_shared_bucket(limits: None) -> None:
    for n in range(10):
        await record_login_failure(f"user{n}@example.com", "")
    await check_login_allowed("new@example.com", "")


async def test_lock_lifts_when_the_window_ends(limits: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "login_window_seconds", 1)
    await fail("ana@example.com", "10.0.0.1", 3)
    with pytest.raises(RateLimited) as caught:
        await check_login_allowed("ana@example.com", "10.0.0.1")
    assert caught.value.retry_after == 1
    assert "1 minute." in caught.value.message
    await asyncio.sleep(1.1)
    await check_login_allowed("ana@example.com", "10.0.0.1")
    assert await record_login_failure("ana@example.com", "10.0.0.1") == 1


async def test_the_same_answer_for_account_and_client_locks(limits: None) -> None:
    await fail("ana@example.com", "10.0.0.1", 3)
    with pytest.raises(RateLimited) as account:
        await check_login_allowed("ana@example.com", "10.0.0.2")
    for n in range(5):
        await record_login_failure(f"user{n}@example.com", "10.0.0.3")
    with pytest.raises(RateLimited) as client:
        await check_login_allowed("zed@example.com", "10.0.0.3")
    assert account.value.message == client.value.message
    assert account.value.code == client.value.code


async def test_cache_holds_no_email_addresses(limits: None) -> None:
    from backend.core.cache import MemoryCache, get_cache

    cache = get_cache()
    assert isinstance(cache, MemoryCache)
    await record_login_failure("ana@example.com", "10.0.0.1")
    assert not any("ana" in key for key in cache._data)
