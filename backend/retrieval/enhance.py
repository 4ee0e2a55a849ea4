"""Query enhancement: the fast model rewrites a query into an expanded query, two or three alternative
phrasings and the entities it names, as schema-validated JSON.

It sits on the path to the first token, so it is strictly bounded: a hard time limit
(QUERY_ENHANCEMENT_TIMEOUT_MS, 800 ms by default) after which the original query is searched alone, and a
cache per space and query (Redis when configured) so a repeated question never waits for the model twice.
Any failure (timeout, model down, output that does not validate) means "search the original query", and the
search response says which it was (`EnhancementStatus`).

Whether a search enhances its query unless told otherwise follows the model stack (`enhancement_default`):
QUERY_ENHANCEMENT unset means on with a remote fast model (Vertex AI, an OpenAI-compatible server) and off on
the local stack, whose fast model on a CPU does not answer within the limit (measured from outside on a
2-core machine: every query of a labelled set timed out at 800 ms, p50 821 ms instead of 45 ms, identical results).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from typing import TYPE_CHECKING, Any

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from backend.core.cache import Cache, get_cache, get_json, set_json
from backend.core.config import Settings, get_settings
from backend.core.db import TenantScope
from backend.retrieval.types import EnhancedQuery, EnhancementStatus

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

logger = logging.getLogger(__name__)

MAX_ALTERNATIVES = 3
MAX_ENTITIES = 10
MAX_VARIANT_CHARS = 300

SYSTEM_PROMPT = (
    "You rewrite search queries for a marketing team's document search. Do not answer the query.\n"
    "Return JSON with:\n"
    "- expanded_query: the query with implied terms, synonyms and spelled-out abbreviations added, one line;\n"
    "- alternatives: two or three different phrasings of the same information need;\n"
    "- entities: names of products, brands, companies, people, places, campaigns and dates in the query."
)


class QueryRewrite(BaseModel):
    """The model's answer. Lengths are enforced after parsing, so one long list does not lose the rest."""

    expanded_query: str = Field(description="The query with implied terms and synonyms added")
    alternatives: list[str] = Field(description="Two or three other phrasings of the same question")
    entities: list[str] = Field(description="Named products, brands, people, places, campaigns, dates")


def enhancement_default(settings: Settings | None = None) -> bool:
    """Whether searches enhance their query when the caller does not say (the UI's switch starts here too)."""
    settings = settings or get_settings()
    if settings.query_enhancement is not None:
        return settings.query_enhancement
    from backend.models.registry import chat_provider

    return chat_provider(settings) != "local"


def cache_key(scope: TenantScope, query: str) -> str:
    """Per space: one space's rewrites (which may echo its vocabulary) are never served to another."""
    digest = hashlib.sha256(normalize_query(query).encode("utf-8")).hexdigest()[:40]
    return f"retrieval:enhance:{scope.key()}:{digest}"


def normalize_query(text: str) -> str:
    return " ".join(text.split())


def sanitize(query: str, rewrite: QueryRewrite) -> EnhancedQuery:
    """Trimmed, de-duplicated variants that differ from the query; at most three alternatives."""
    original = normalize_query(query).lower()
    expanded = normalize_query(rewrite.expanded_query)[:MAX_VARIANT_CHARS]
    if expanded.lower() == original:
        expanded = ""
    seen = {original, expanded.lower()}
    alternatives: list[str] = []
    for item in rewrite.alternatives:
        text = normalize_query(str(item))[:MAX_VARIANT_CHARS]
        if text and text.lower() not in seen:
            seen.add(text.lower())
            alternatives.append(text)
    entities: list[str] = []
    for item in rewrite.entities:
        text = normalize_query(str(item))[:100]
        if text and text.lower() not in (e.lower() for e in entities):
            entities.append(text)
    return EnhancedQuery(expanded, tuple(alternatives[:MAX_ALTERNATIVES]), tuple(entities[:MAX_ENTITIES]))


class QueryEnhancer:
    """Rewrites queries with the fast chat model, within a time limit, cached per space."""

    def __init__(
        self,
        model: BaseChatModel | None = None,
        *,
        cache: Cache | None = None,
        settings: Settings | None = None,
        timeout_ms: int | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self._model = model
        self._cache = cache
        self.timeout_ms = self.settings.query_enhancement_timeout_ms if timeout_ms is None else timeout_ms

    def _runnable(self) -> Any:
        if self._model is None:
            from backend.models.registry import get_chat_model

            self._model = get_chat_model("fast", self.settings)
        return self._model.with_structured_output(QueryRewrite)

    async def enhance(self, scope: TenantScope, query: str) -> EnhancedQuery | None:
        """The rewrite of `query`, or None when it could not be had in time (search the original alone)."""
        return (await self.enhance_with_status(scope, query))[0]

    async def enhance_with_status(
        self, scope: TenantScope, query: str
    ) -> tuple[EnhancedQuery | None, EnhancementStatus]:
        """The rewrite (or None) and what happened: `ok`, `cached`, `timeout` or `failed`."""
        if not isinstance(scope, TenantScope):
            raise RuntimeError("query enhancement needs a TenantScope")
        cache = self._cache or get_cache()
        key = cache_key(scope, query)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout_ms / 1000):
                cached = await get_json(cache, key)
                if isinstance(cached, dict):
                    enhanced = EnhancedQuery(
                        cached.get("expanded_query", ""),
                        tuple(cached.get("alternatives", ())),
                        tuple(cached.get("entities", ())),
                        cached=True,
                    )
                    return enhanced, "cached"
                messages = [SystemMessage(SYSTEM_PROMPT), HumanMessage(normalize_query(query)[:2000])]
                answer = await self._runnable().ainvoke(messages)
            rewrite = answer if isinstance(answer, QueryRewrite) else QueryRewrite.model_validate(answer)
        except TimeoutError:
            logger.info("query enhancement timed out", extra={"timeout_ms": self.timeout_ms})
            return None, "timeout"
        except Exception as exc:
            logger.warning("query enhancement failed", extra={"error": f"{type(exc).__name__}: {exc}"[:300]})
            return None, "failed"
        enhanced = sanitize(query, rewrite)
        await set_json(cache, key, enhanced.to_dict(), self.settings.query_enhancement_cache_seconds)
        logger.debug("query enhanced", extra={"ms": round((time.perf_counter() - started) * 1000)})
        return enhanced, "ok"


__all__ = ["SYSTEM_PROMPT", "QueryEnhancer", "QueryRewrite", "cache_key", "enhancement_default", "sanitize"]
