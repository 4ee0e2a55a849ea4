"""Rows the dashboard aggregates, written through the domains' own repositories and usage store.

Used by the db and api tiers: a space gets runs (with statuses, stop reasons and creation times), their model
usage, and documents with quarantined chunks, so a test can tell exactly what each panel must show.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import httpx

from backend.agents import service as agents
from backend.agents.schemas import ConversationCreate
from backend.analytics import service as analytics
from backend.analytics.schemas import Ga4PropertyUpdate
from backend.content import service as content
from backend.content.schemas import ContentCreate, TransitionCreate
from backend.core.db import get_database
from backend.documents.models import Document
from backend.models.accounting import DatabaseUsageStore, UsageEvent
from backend.runs import repository as runs
from backend.tenancy.context import SpaceContext


@dataclass(frozen=True)
class SeedRun:
    agent: str
    status: str
    stop_reason: str | None
    created_at: datetime
    tokens: tuple[int, int] = (0, 0)
    model: str = "gemini-2.5-flash"
    provider: str = "vertex"


async def add_runs(ctx: SpaceContext, seeds: list[SeedRun]) -> list[uuid.UUID]:
    """One conversation per run (a conversation holds one active run at a time); usage booked to each run."""
    ids = []
    store = DatabaseUsageStore()
    for seed in seeds:
        conversation = await agents.create_conversation(ctx, ConversationCreate(agent=seed.agent))  # type: ignore[arg-type]
        async with get_database().tenant(ctx.scope) as session:
            run = await runs.add_run(
                session, ctx.scope, conversation_id=conversation.id, agent=seed.agent,  # type: ignore[arg-type]
                message="Seeded", document_ids=[], user_id=ctx.user_id,
            )  # fmt: skip
            run.status, run.stop_reason, run.created_at = seed.status, seed.stop_reason, seed.created_at
            run.error = "The model timed out." if seed.status == "failed" else None
            session.add(run)
            ids.append(run.id)
        if seed.tokens != (0, 0):
            event = UsageEvent(provider=seed.provider, model=seed.model, role="main", tokens_in=seed.tokens[0],
                               tokens_out=seed.tokens[1], latency_ms=10, created_at=seed.created_at)  # fmt: skip
            await store.record(ctx.scope, run.id, [event])
    return ids


async def add_document(ctx: SpaceContext, title: str, status: str, *, quarantined: int = 0) -> uuid.UUID:
    """A document row in `status` holding `quarantined` chunks that wait for review."""
    async with get_database().tenant(ctx.scope) as session:
        document = Document(
            organization_id=ctx.organization_id, space_id=ctx.space_id, title=title, filename=f"{title}.md",
            kind="markdown", status=status, chunk_count=5 + quarantined, quarantined_count=quarantined,
        )  # fmt: skip
        session.add(document)
        await session.flush()
        return document.id


async def add_content(ctx: SpaceContext, title: str, body: str, actions: tuple[str, ...] = ()) -> int | None:
    """A content item written and scored through the content service, moved through `actions`; its voice score."""
    item = await content.create_item(ctx, ContentCreate(title=title, type="blog_post", body=body))
    for action in actions:
        await content.transition(ctx, item.id, TransitionCreate(action=action))  # type: ignore[arg-type]
    return item.voice_score


async def connect_ga4(ctx: SpaceContext, property_id: str) -> None:
    """Connect GA4 the way a space admin does (Google here is `tests/support/fake_google.py`) and pick a property."""
    async with httpx.AsyncClient() as http:
        consent = await http.get(await analytics.start_connect(ctx))  # the browser at Google, consenting
    assert consent.status_code == 302, consent.text
    back = httpx.URL(consent.headers["location"]).params
    outcome = await analytics.complete_connect(code=back["code"], state=back["state"])
    assert outcome.error is None, outcome
    await analytics.set_property(ctx, Ga4PropertyUpdate(property_id=property_id))


__all__ = ["SeedRun", "add_content", "add_document", "add_runs", "connect_ga4"]
