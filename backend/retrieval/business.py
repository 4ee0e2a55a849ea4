"""The business context every answer is written with: the space's brand voice (inherited from the organization),
who the organization and space are, and the space's pinned key facts. (There is no organization profile table
yet: the profile is the organization's and the space's names.)

It changes rarely and every search reads it, so it is cached per space (`space_profile_key`, which includes the
space id) and dropped when any part of it changes: brand voices and names through `tenancy.forget_context`, key
facts by their service. A short time limit bounds what a write racing a read could leave behind."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from backend.core.cache import Cache, get_cache, get_json, set_json
from backend.core.db import TenantScope
from backend.retrieval.models import KeyFact
from backend.retrieval.text import overlap, terms
from backend.retrieval.types import Candidate
from backend.tenancy.access import merge_brand_voice, space_profile_key
from backend.tenancy.models import Organization, Space

MAX_FACTS = 20
"""Key facts returned with a search at most, the most relevant to the query first."""


CACHE_SECONDS = 60
"""How long a space's business context may be served from the cache without a change having dropped it."""


@dataclass(frozen=True, slots=True)
class BusinessContext:
    organization_name: str = ""
    space_name: str = ""
    brand_voice: dict[str, Any] = field(default_factory=dict)
    facts: list[tuple[uuid.UUID, str, datetime]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "organization_name": self.organization_name,
            "space_name": self.space_name,
            "brand_voice": self.brand_voice,
            "facts": [[str(fid), text, created.isoformat()] for fid, text, created in self.facts],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BusinessContext:
        return cls(
            organization_name=str(data.get("organization_name", "")),
            space_name=str(data.get("space_name", "")),
            brand_voice=dict(data.get("brand_voice") or {}),
            facts=[(uuid.UUID(f), t, datetime.fromisoformat(c)) for f, t, c in data.get("facts") or ()],
        )


async def cached_business_context(
    cache: Cache, scope: TenantScope, load: Callable[[], Awaitable[BusinessContext]]
) -> BusinessContext:
    """The space's business context from the cache, or `load()`ed and cached."""
    key = space_profile_key(scope)
    cached = await get_json(cache, key)
    if isinstance(cached, dict):
        try:
            return BusinessContext.from_dict(cached)
        except (TypeError, ValueError):
            pass  # written by another version: read it again
    context = await load()
    await set_json(cache, key, context.to_dict(), CACHE_SECONDS)
    return context


async def forget_business_context(scope: TenantScope, cache: Cache | None = None) -> None:
    """Drop the space's cached business context (after its key facts changed)."""
    await (cache or get_cache()).delete(space_profile_key(scope))


async def load_business_context(session: AsyncSession, scope: TenantScope, *, max_facts: int = 200) -> BusinessContext:
    """The space's business context, in the caller's tenant transaction."""
    row = (
        await session.execute(
            select(Organization.name, Organization.brand_voice, Space.name, Space.brand_voice)
            .join(Space, col(Space.organization_id) == Organization.id)
            .where(col(Space.id) == scope.space_id, col(Space.organization_id) == scope.organization_id)
        )
    ).first()
    if row is None:
        return BusinessContext()
    org_name, org_voice, space_name, space_voice = row
    facts = (
        await session.execute(
            select(KeyFact.id, KeyFact.text, KeyFact.created_at)
            .where(col(KeyFact.space_id) == scope.space_id)
            .order_by(col(KeyFact.created_at).desc())
            .limit(max_facts)
        )
    ).all()
    return BusinessContext(
        organization_name=org_name,
        space_name=space_name,
        brand_voice=merge_brand_voice(dict(org_voice or {}), dict(space_voice or {})),
        facts=[(fid, text, created) for fid, text, created in facts],
    )


def render_entries(values: dict[str, Any]) -> str:
    """`Label: value` lines for a model to read (ids of guideline documents are left out)."""
    lines = []
    for key, value in values.items():
        if value in (None, "", [], {}) or key.endswith("_ids") or key.endswith("_id"):
            continue
        label = key.replace("_", " ").capitalize()
        if isinstance(value, list | tuple):
            shown = "; ".join(str(v) for v in value)
        elif isinstance(value, dict):
            shown = json.dumps(value, ensure_ascii=False, default=str)
        else:
            shown = str(value)
        lines.append(f"{label}: {shown}")
    return "\n".join(lines)


def business_candidates(context: BusinessContext, query: str, *, max_facts: int = MAX_FACTS) -> list[Candidate]:
    """Pinned results: brand voice, organization profile, then the key facts most relevant to the query."""
    out: list[Candidate] = []
    voice = render_entries(context.brand_voice)
    if voice:
        out.append(_pinned("brand_voice", "Brand voice", voice, 1.0))
    if context.organization_name:
        profile = f"Organization: {context.organization_name}\nSpace: {context.space_name}"
        out.append(_pinned("organization_profile", "Organization profile", profile, 1.0))
    query_terms = terms(query)
    ranked = sorted(context.facts, key=lambda fact: (-overlap(query_terms, fact[1]), -fact[2].timestamp()))
    for fact_id, text, _created in ranked[:max_facts]:
        out.append(_pinned(str(fact_id), "Key fact", text, overlap(query_terms, text)))
    return out


def _pinned(chunk_id: str, title: str, content: str, relevance: float) -> Candidate:
    return Candidate(
        chunk_id=chunk_id,
        content=content,
        content_hash=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        stream="business_context",
        document_title=title,
        fused=relevance,
        pinned=True,
    )


__all__ = [
    "CACHE_SECONDS",
    "MAX_FACTS",
    "BusinessContext",
    "business_candidates",
    "cached_business_context",
    "forget_business_context",
    "load_business_context",
    "render_entries",
]
