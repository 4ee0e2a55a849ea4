"""Timeouts, retries with jitter and a circuit breaker per provider, shared by every model call.

`ModelGuard` wraps one provider's calls: each attempt gets its own time limit, transient failures are retried
with full-jitter exponential backoff (so many workers hitting a throttled provider spread out instead of
retrying in lockstep), and a breaker shared by every caller of the same provider stops sending requests to a
provider that keeps failing, so a dead endpoint costs one fast `CircuitOpen` instead of a timeout per call.
Whatever the SDK raised leaves as a typed `ModelError` (see `classify.classify_exception`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from backend.core.config import Settings
from backend.models.classify import classify_exception
from backend.models.errors import (
    CircuitOpen,
    ModelError,
    ModelOutputInvalid,
    ModelRateLimited,
    ModelRequestInvalid,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently transient failures are retried."""

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int, error: ModelError) -> float:
        """Full jitter: a random wait up to the exponential bound, never shorter than the provider's Retry-After."""
        bound = min(self.max_delay, self.base_delay * (2**attempt))
        wait = random.uniform(0, bound)
        retry_after = getattr(error, "retry_after", None)
        if retry_after:
            wait = max(wait, min(float(retry_after), self.max_delay))
        return wait

    def should_retry(self, attempt: int, error: ModelError) -> bool:
        """Whether attempt number `attempt` (0-based) may be followed by another after `error`."""
        return error.retryable and attempt < self.max_retries


class CircuitBreaker:
    """Closed → open after N consecutive provider failures → half-open after a cool-down → closed on success.

    Only failures that say something about the provider's health count (unreachable, 5xx, timeouts); a bad
    request or a rate limit does not open the circuit. Thread-safe: local models call it from worker threads.
    """

    def __init__(
        self, name: str, *, failure_threshold: int = 5, reset_after: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.failure_threshold = max(1, failure_threshold)
        self.reset_after = reset_after
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        """`closed`, `open` or `half_open`."""
        with self._lock:
            return self._state_locked()

    def _state_locked(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half_open" if self._clock() - self._opened_at >= self.reset_after else "open"

    def before_call(self) -> None:
        """Raise `CircuitOpen` unless a call may go through now (in half-open state only one trial call may)."""
        with self._lock:
            state = self._state_locked()
            if state == "closed":
                return
            if state == "half_open" and not self._trial_running:
                self._trial_running = True
                return
            assert self._opened_at is not None
            retry_after = max(0.0, self.reset_after - (self._clock() - self._opened_at))
        raise CircuitOpen(
            f"{self.name} failed {self.failure_threshold} times in a row; calls are paused for "
            f"{retry_after:.0f} s before it is tried again",
            provider=self.name,
            retry_after=retry_after,
        )

    def record_success(self) -> None:
        """A call went through: the provider is healthy, close the circuit."""
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_running = False

    def release_trial(self) -> None:
        """End a half-open trial call that neither succeeded nor failed (cancelled, or a bug on our side)."""
        with self._lock:
            self._trial_running = False

    def record_failure(self, error: ModelError) -> None:
        """Count a failed call; open the circuit at the threshold (or again after a failed trial call)."""
        if isinstance(error, ModelRequestInvalid | ModelOutputInvalid | ModelRateLimited | CircuitOpen):
            self.release_trial()
            return
        with self._lock:
            self._trial_running = False
            self._failures += 1
            if self._opened_at is not None or self._failures >= self.failure_threshold:
                if self._opened_at is None:
                    logger.warning("circuit opened", extra={"provider": self.name, "failures": self._failures})
                self._opened_at = self._clock()


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(name: str, settings: Settings) -> CircuitBreaker:
    """The process-wide breaker of one provider endpoint (every model object talking to it shares it)."""
    with _breakers_lock:
        breaker = _breakers.get(name)
        if breaker is None:
            breaker = CircuitBreaker(
                name,
                failure_threshold=settings.circuit_breaker_failures,
                reset_after=settings.circuit_breaker_reset_seconds,
            )
            _breakers[name] = breaker
        return breaker


def reset_breakers() -> None:
    """Forget every breaker's state (tests, or an operator after fixing a provider)."""
    with _breakers_lock:
        _breakers.clear()


@dataclass(slots=True)
class ModelGuard:
    """Timeout, retries and circuit breaker for one provider's calls."""

    provider: str
    breaker: CircuitBreaker
    timeout: float = 120.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @classmethod
    def from_settings(cls, provider: str, endpoint: str, settings: Settings, *, retries: bool = True) -> ModelGuard:
        """A guard with the configured limits; `endpoint` names the breaker (one per provider endpoint)."""
        return cls(
            provider=provider,
            breaker=breaker_for(f"{provider}:{endpoint}", settings),
            timeout=settings.model_timeout_seconds,
            retry=RetryPolicy(
                max_retries=settings.model_max_retries if retries else 0,
                base_delay=settings.model_retry_base_seconds,
                max_delay=settings.model_retry_max_seconds,
            ),
        )

    def _typed(self, exc: BaseException) -> ModelError | None:
        error = classify_exception(exc, self.provider)
        if error is not None and error.provider is None:
            error.provider = self.provider
        return error

    def _failed(self, exc: Exception, tries: int, *, may_retry: bool = True) -> float:
        """Book a failed attempt; return how long to wait before the next one, or raise the typed error."""
        error = self._typed(exc)
        if error is None:
            self.breaker.release_trial()
            raise exc
        self.breaker.record_failure(error)
        if not may_retry or not self.retry.should_retry(tries, error):
            if error is exc:
                raise exc
            raise error from exc
        wait = self.retry.delay(tries, error)
        logger.info(
            "retrying model call",
            extra={"provider": self.provider, "error": error.code, "attempt": tries + 1, "wait_s": round(wait, 2)},
        )
        return wait

    async def call(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run `attempt` with a per-attempt time limit, retrying transient failures."""
        tries = 0
        while True:
            self.breaker.before_call()
            try:
                async with asyncio.timeout(self.timeout):
                    result = await attempt()
            except asyncio.CancelledError:
                self.breaker.release_trial()
                raise
            except Exception as exc:
                wait = self._failed(exc, tries)
                tries += 1
                await asyncio.sleep(wait)
                continue
            self.breaker.record_success()
            return result

    def call_sync(self, attempt: Callable[[], T]) -> T:
        """The blocking variant of `call` for LangChain's sync API; the provider's own timeout applies."""
        tries = 0
        while True:
            self.breaker.before_call()
            try:
                result = attempt()
            except Exception as exc:
                wait = self._failed(exc, tries)
                tries += 1
                time.sleep(wait)
                continue
            self.breaker.record_success()
            return result

    async def stream(self, open_stream: Callable[[], AsyncIterator[T]]) -> AsyncIterator[T]:
        """Yield from a stream under the call's time limit; retry only while nothing has been yielded yet.

        The limit bounds each wait for the provider: the first item, then every gap between two items (a
        stall). It is never spent while the consumer works between items, and a stream that keeps coming is
        never cut for its total length: a long answer from a slow local model (1,024 tokens at 8 tokens/s is
        over two minutes) would otherwise fail at the limit with most of it written.
        """
        tries = 0
        while True:
            self.breaker.before_call()
            inner = open_stream()
            yielded = finished = failed = False
            try:
                while True:
                    try:
                        async with asyncio.timeout(self.timeout):
                            item = await anext(inner)
                    except StopAsyncIteration:
                        finished = True
                        break
                    yielded = True
                    yield item
            except Exception as exc:
                failed = True
                wait = self._failed(exc, tries, may_retry=not yielded)
                tries += 1
                await asyncio.sleep(wait)
                continue
            finally:
                if not finished and not failed:
                    # The consumer stopped early or was cancelled: say nothing about the provider's health.
                    self.breaker.release_trial()
                aclose = getattr(inner, "aclose", None)
                if aclose is not None:
                    await aclose()
            self.breaker.record_success()
            return


__all__ = ["CircuitBreaker", "ModelGuard", "RetryPolicy", "breaker_for", "reset_breakers"]
