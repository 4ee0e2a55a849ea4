"""Start-up warming and shutdown: local slots are prefilled with registered stable prefixes in the background,
and shutdown unloads everything."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from backend.models import sessions
from backend.models.chat_local import LocalChatModel
from backend.models.local_engine import loaded_engines
from backend.models.local_prompt import StablePrefix, prefix_key
from backend.models.registry import get_chat_model
from backend.models.sessions import (
    close_models,
    register_stable_prefix,
    stable_prefixes,
    start_model_warmup,
    warm_models,
)

from .model_helpers import model_settings


@pytest.fixture(autouse=True)
def _no_registered_prefixes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sessions, "_prefixes", {"main": {}, "fast": {}})
    yield


async def test_warming_fakes_is_instant_and_reports_each_role() -> None:
    report = await warm_models(model_settings(chat_provider="fake", embedding_provider="fake"))
    assert set(report) == {"main", "fast", "embeddings"}
    assert report["embeddings"]["model"] == "fake:hashed-bow-384"


def test_registered_prefixes_are_kept_most_recent_first() -> None:
    first, second = StablePrefix("System one", name="seo"), StablePrefix("System two", name="email")
    register_stable_prefix(first, role="fast")
    register_stable_prefix(second, role="fast")
    register_stable_prefix(first, role="fast")  # registered again: most important now
    assert stable_prefixes("fast")[:2] == [first, second]


async def test_local_slots_are_warmed_in_the_background_and_unloaded_at_shutdown() -> None:
    settings = model_settings(chat_provider="local", embedding_provider="fake", local_main_model="smollm2-135m",
                              local_ctx_size=1024, local_parallel_slots=2, local_prompt_cache_mib=0)
    system = "You are the SEO agent of Northwind Outdoor. Write plain, specific copy. " * 8
    register_stable_prefix(StablePrefix(system, name="seo-test"), role="main")
    # The fast role names the same file: its prefixes share the two slots and must not evict main's.
    register_stable_prefix(StablePrefix("Classify the request. " * 5, name="router"), role="fast")
    register_stable_prefix(StablePrefix("Rewrite the query. " * 5, name="rewriter"), role="fast")

    warmup = start_model_warmup(settings)
    await asyncio.wait_for(warmup, timeout=60)

    model = get_chat_model("main", settings)
    assert isinstance(model, LocalChatModel) and model.engine.loaded
    key = prefix_key(system)
    assert model.engine.pool.holder_of(key) is not None  # the prefix sits in a slot before any request
    reply = await model.ainvoke([SystemMessage(system), HumanMessage("One title, please.")], max_tokens=8)
    assert reply.response_metadata["cached_tokens"] > 100

    await close_models()
    assert not model.engine.loaded and model.engine not in loaded_engines()


async def test_shutdown_stops_a_warmup_still_running() -> None:
    warmup = start_model_warmup(model_settings(chat_provider="fake", embedding_provider="fake"))
    await close_models(warmup)
    assert warmup.done()
