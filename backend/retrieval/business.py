"""The business context every answer is written with: the space's brand voice (inherited from the organization),
who the organization and space are, and the space's pinned key facts, read fresh from the database for each search.
(There is no organization profile table yet: the profile is the organization's and the space's names.)"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from backend.core.db import TenantScope
from backend.retrieval.models import KeyFact
from backend.retrieval.text import overlap, terms
from backend.retrieval.types import Candidate
from backend.tenancy.access import merge_brand_voice
from backend.tenancy.models import Organization, Space

MAX_FACTS = 20
"""Key facts returned with a search at most, the most relevant to the query first."""


@dataclass(frozen=True, slots=True)
class BusinessContext:
    organization_name: str = ""
    space_name: str = ""
    brand_voice: dict[str, Any] = field(default_factory=dict)
    facts: list[tuple[uuid.UUID, str, datetime]] = field(default_factory=list)


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


__all__ = ["MAX_FACTS", "BusinessContext", "business_candidates", "load_business_context", "render_entries"]
