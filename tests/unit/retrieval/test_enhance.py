"""Query enhancement: schema-validated rewrites, a hard time limit with fallback, a cache per space."""

from __future__ import annotations

import uuid

from backend.core.cache import MemoryCache
from backend.core.config import get_settings
from backend.core.db import TenantScope
from backend.models.chat_fake import make_fake_chat
from backend.retrieval.enhance import QueryEnhancer, QueryRewrite, cache_key, enhancement_default, sanitize

REWRITE = {
    "expanded_query": "Pro plan price per month subscription cost",
    "alternatives": ["What does Pro cost?", "Pro plan pricing", "pro plan pricing", "How much is the Pro plan?", "4th"],
    "entities": ["Pro plan", "pro plan"],
}


def _scope() -> TenantScope:
    return TenantScope(uuid.uuid4(), uuid.uuid4())


async def test_a_rewrite_yields_an_expansion_alternatives_and_entities() -> None:
    model = make_fake_chat([REWRITE])
    enhanced = await QueryEnhancer(model, cache=MemoryCache()).enhance(_scope(), "How much is the Pro plan?")
    assert enhanced is not None and not enhanced.cached
    assert enhanced.expanded_query == REWRITE["expanded_query"]
    assert enhanced.alternatives == ("What does Pro cost?", "Pro plan pricing", "4th"), "deduped, not the query"
    assert enhanced.entities == ("Pro plan",)
    assert enhanced.variants()[0] == REWRITE["expanded_query"] and len(enhanced.variants()) == 4
    request = model.calls[0]
    assert request["response_format"]["type"] == "json_schema", "structured output under a JSON schema"


async def test_a_slow_model_times_out_and_the_original_query_is_used_alone() -> None:
    model = make_fake_chat([REWRITE], delay=2.0)
    enhancer = QueryEnhancer(model, cache=MemoryCache(), timeout_ms=100)
    enhanced, status = await enhancer.enhance_with_status(_scope(), "pricing")
    assert enhanced is None and status == "timeout"  # the timeout is proved by its status, not by the clock


def test_enhancement_is_off_by_default_on_the_local_stack_only() -> None:
    settings = get_settings()
    stacks = {
        "local": {"chat_provider": "local"},
        "vertex": {"chat_provider": "vertex", "vertex_project": "p"},
        "openai_compatible": {"chat_provider": "openai_compatible", "openai_base_url": "http://127.0.0.1:9/v1"},
    }
    defaults = {name: enhancement_default(settings.model_copy(update=u)) for name, u in stacks.items()}
    assert defaults == {"local": False, "vertex": True, "openai_compatible": True}
    forced = settings.model_copy(update={"chat_provider": "local", "query_enhancement": True})
    assert enhancement_default(forced) is True, "QUERY_ENHANCEMENT set explicitly wins"
    off = settings.model_copy(update={"chat_provider": "vertex", "query_enhancement": False})
    assert enhancement_default(off) is False


async def test_a_failing_model_or_invalid_output_means_no_enhancement() -> None:
    broken = make_fake_chat([RuntimeError("model down")])
    assert await QueryEnhancer(broken, cache=MemoryCache()).enhance(_scope(), "pricing") is None
    nonsense = make_fake_chat(["this is not json"])
    assert await QueryEnhancer(nonsense, cache=MemoryCache()).enhance(_scope(), "pricing") is None


async def test_rewrites_are_cached_per_space_and_query() -> None:
    cache = MemoryCache()
    model = make_fake_chat([REWRITE, REWRITE])
    enhancer = QueryEnhancer(model, cache=cache)
    space_a, space_b = _scope(), _scope()
    await enhancer.enhance(space_a, "Pro plan price")
    again = await enhancer.enhance(space_a, "  Pro plan   price ")
    assert again is not None and again.cached and len(model.calls) == 1
    await enhancer.enhance(space_b, "Pro plan price")
    assert len(model.calls) == 2, "another space never reads this space's rewrite"
    assert str(space_a.space_id) in cache_key(space_a, "q") and cache_key(space_a, "q") != cache_key(space_b, "q")


def test_sanitize_drops_empty_and_repeated_variants() -> None:
    rewrite = QueryRewrite(expanded_query="  pricing  ", alternatives=["", "Pricing", "plans"], entities=[""])
    enhanced = sanitize("pricing", rewrite)
    assert enhanced.expanded_query == "" and enhanced.alternatives == ("plans",) and enhanced.entities == ()
