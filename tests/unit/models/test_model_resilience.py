"""Timeouts, retries with jitter, the circuit breaker and typed errors, without any provider."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from langchain_core.exceptions import ContextOverflowError, OutputParserException

from backend.models.classify import classify_exception
from backend.models.errors import (
    CircuitOpen,
    ModelOutputInvalid,
    ModelRateLimited,
    ModelRequestInvalid,
    ModelTimeout,
    ModelUnavailable,
)
from backend.models.resilience import CircuitBreaker, ModelGuard, RetryPolicy


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _guard(*, retries: int = 2, timeout: float = 1.0, breaker: CircuitBreaker | None = None) -> ModelGuard:
    return ModelGuard(
        "test",
        breaker or CircuitBreaker("test", failure_threshold=3, reset_after=10),
        timeout=timeout,
        retry=RetryPolicy(max_retries=retries, base_delay=0.001, max_delay=0.01),
    )


def test_backoff_is_jittered_exponential_and_capped() -> None:
    policy = RetryPolicy(max_retries=5, base_delay=0.5, max_delay=4.0)
    error = ModelUnavailable("down")
    for attempt, bound in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (6, 4.0)]:
        waits = {policy.delay(attempt, error) for _ in range(50)}
        assert all(0 <= w <= bound for w in waits)
        assert len(waits) > 40  # random, so many workers do not retry in lockstep
    # A provider's Retry-After is honoured (up to the cap).
    assert policy.delay(0, ModelRateLimited("slow down", retry_after=3)) >= 3
    assert policy.delay(0, ModelRateLimited("slow down", retry_after=60)) <= 4.0
    assert policy.should_retry(4, error) and not policy.should_retry(5, error)
    assert not policy.should_retry(0, ModelRequestInvalid("bad"))


def test_breaker_opens_cools_down_and_lets_one_trial_through() -> None:
    clock = Clock()
    breaker = CircuitBreaker("vertex", failure_threshold=3, reset_after=30, clock=clock)
    for _ in range(2):
        breaker.before_call()
        breaker.record_failure(ModelUnavailable("503"))
    assert breaker.state == "closed"
    breaker.before_call()
    breaker.record_failure(ModelTimeout("slow"))
    assert breaker.state == "open"

    with pytest.raises(CircuitOpen) as raised:
        breaker.before_call()
    assert raised.value.retry_after == pytest.approx(30)

    clock.now += 30
    assert breaker.state == "half_open"
    breaker.before_call()  # the one trial call
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # everyone else waits for the trial's outcome
    breaker.record_failure(ModelUnavailable("still down"))
    assert breaker.state == "open"  # a failed trial re-opens for a full cool-down

    clock.now += 30
    breaker.before_call()
    breaker.record_success()
    assert breaker.state == "closed"
    breaker.before_call()


def test_caller_errors_and_rate_limits_do_not_open_the_breaker() -> None:
    breaker = CircuitBreaker("openai", failure_threshold=2, reset_after=30)
    for error in [ModelRequestInvalid("bad"), ModelOutputInvalid("shape"), ModelRateLimited("429")] * 3:
        breaker.before_call()
        breaker.record_failure(error)
    assert breaker.state == "closed"


async def test_transient_failures_are_retried_then_succeed() -> None:
    attempts = []

    async def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise httpx.ConnectError("refused")
        return "ok"

    guard = _guard(retries=2)
    assert await guard.call(flaky) == "ok"
    assert len(attempts) == 3
    assert guard.breaker.state == "closed"


async def test_each_attempt_has_its_own_time_limit() -> None:
    attempts = []

    async def hangs() -> str:
        attempts.append(1)
        await asyncio.sleep(10)
        return "never"

    with pytest.raises(ModelTimeout):
        await _guard(retries=1, timeout=0.05).call(hangs)
    assert len(attempts) == 2


async def test_a_bug_is_raised_as_is_and_not_counted_against_the_provider() -> None:
    async def broken() -> str:
        raise KeyError("our own mistake")

    guard = _guard(breaker=CircuitBreaker("test", failure_threshold=1, reset_after=10))
    with pytest.raises(KeyError):
        await guard.call(broken)
    assert guard.breaker.state == "closed"


async def test_an_open_circuit_refuses_without_calling() -> None:
    calls = []

    async def down() -> str:
        calls.append(1)
        raise httpx.ConnectError("refused")

    guard = _guard(retries=0, breaker=CircuitBreaker("test", failure_threshold=2, reset_after=10))
    for _ in range(2):
        with pytest.raises(ModelUnavailable):
            await guard.call(down)
    with pytest.raises(CircuitOpen):
        await guard.call(down)
    assert len(calls) == 2


async def _items(values: list[str], *, fail_after: int | None = None, stall: float = 0.0) -> AsyncIterator[str]:
    for index, value in enumerate(values):
        if fail_after is not None and index == fail_after:
            raise httpx.RemoteProtocolError("connection dropped")
        if stall:
            await asyncio.sleep(stall)
        yield value


async def test_a_stream_is_not_retried_once_it_has_yielded() -> None:
    opened = []

    def open_stream() -> AsyncIterator[str]:
        opened.append(1)
        return _items(["a", "b", "c"], fail_after=1)

    received = []
    with pytest.raises(ModelUnavailable):
        async for item in _guard(retries=2).stream(open_stream):
            received.append(item)
    assert received == ["a"] and len(opened) == 1  # replaying would duplicate what the user already saw


async def test_a_slow_consumer_does_not_use_up_the_stream_time_limit() -> None:
    received = []
    async for item in _guard(timeout=0.2).stream(lambda: _items(["a", "b", "c"])):
        received.append(item)
        await asyncio.sleep(0.1)  # 0.3 s of consumer work in total, more than the limit
    assert received == ["a", "b", "c"]


async def test_a_stalled_stream_times_out() -> None:
    received = []
    with pytest.raises(ModelTimeout):
        async for item in _guard(retries=0, timeout=0.1).stream(lambda: _stalling(["a", "b"], stall_before=1)):
            received.append(item)
    assert received == ["a"]


async def test_a_stream_that_keeps_coming_is_not_cut_for_its_total_length() -> None:
    # Each item well within the limit, all of them together well over it: a long answer from a slow model.
    received = []
    async for item in _guard(retries=0, timeout=0.5).stream(lambda: _items(list("abcdefgh"), stall=0.1)):
        received.append(item)
    assert received == list("abcdefgh")


async def _stalling(values: list[str], *, stall_before: int) -> AsyncIterator[str]:
    for index, value in enumerate(values):
        if index == stall_before:
            await asyncio.sleep(1.0)  # far past the 0.1 s limit: the provider went quiet
        yield value


def test_provider_exceptions_become_typed_errors() -> None:
    request = httpx.Request("POST", "http://model.test/v1/chat/completions")
    limited = httpx.HTTPStatusError(
        "429", request=request, response=httpx.Response(429, headers={"retry-after": "7"}, request=request)
    )
    error = classify_exception(limited, "openai_compatible")
    assert isinstance(error, ModelRateLimited) and error.retry_after == 7 and error.retryable

    unauthorized = httpx.HTTPStatusError("401", request=request, response=httpx.Response(401, request=request))
    error = classify_exception(unauthorized, "openai_compatible")
    assert isinstance(error, ModelUnavailable) and not error.retryable and "API key" in error.message

    assert isinstance(classify_exception(httpx.ReadTimeout("slow"), "x"), ModelTimeout)
    slow = classify_exception(TimeoutError(), "local")
    assert slow is not None and slow.message == "The local model did not answer in time" and slow.provider == "local"
    assert "The OpenAI-compatible model server refused the credentials" in error.message
    assert isinstance(classify_exception(OutputParserException("not json"), "x"), ModelOutputInvalid)
    assert isinstance(classify_exception(ContextOverflowError("too long"), "x"), ModelRequestInvalid)
    assert classify_exception(ValueError("a bug"), "x") is None


def test_missing_google_credentials_say_what_to_set_up() -> None:
    from google.auth.exceptions import DefaultCredentialsError

    error = classify_exception(DefaultCredentialsError("no ADC"), "vertex")
    assert isinstance(error, ModelUnavailable)
    assert "application default credentials" in error.message and not error.retryable
