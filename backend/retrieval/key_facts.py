"""Pinned key facts of a space: everyone in the space reads them, editors add and remove them.

Every function takes the caller's resolved `SpaceContext` and runs in that space's transaction, so row-level
security applies on top of the filters `repository.py` writes.
"""

from __future__ import annotations

from typing import Any

from backend.core.db import get_database
from backend.core.errors import Forbidden, NotFound, ValidationFailed
from backend.retrieval import repository
from backend.retrieval.business import forget_business_context
from backend.retrieval.models import KEY_FACT_MAX_CHARS, KeyFact
from backend.safety.contamination import screen_field
from backend.tenancy.access import parse_uuid
from backend.tenancy.context import SpaceContext

MAX_FACTS_PER_SPACE = 200
NOT_FOUND = "There is no such key fact in this space."


def _require_editor(ctx: SpaceContext) -> None:
    if not ctx.can_edit:
        raise Forbidden("Your role in this space is read-only; ask an admin for editor access.", code="editor_required")


async def list_facts(ctx: SpaceContext, *, limit: int = 100, offset: int = 0) -> tuple[list[KeyFact], int]:
    """The space's facts, newest first, and how many there are."""
    async with get_database().tenant(ctx.scope) as session:
        return await repository.list_key_facts(session, ctx.scope, limit=limit, offset=offset)


async def add_fact(ctx: SpaceContext, text: str) -> KeyFact:
    """Pin a fact (editors). Whitespace is tidied; 1 to 500 characters."""
    _require_editor(ctx)
    cleaned = " ".join(str(text).split())
    if not cleaned:
        raise ValidationFailed("A key fact needs some text.", code="key_fact_empty")
    if len(cleaned) > KEY_FACT_MAX_CHARS:
        raise ValidationFailed(
            f"A key fact can be at most {KEY_FACT_MAX_CHARS} characters; split longer ones.", code="key_fact_too_long"
        )
    verdict = screen_field(cleaned)
    if verdict is not None:
        raise ValidationFailed(
            f"This key fact reads as an instruction to the AI ({verdict}); key facts state facts. Rephrase it.",
            code="key_fact_injection",
        )
    async with get_database().tenant(ctx.scope) as session:
        if await repository.count_key_facts(session, ctx.scope) >= MAX_FACTS_PER_SPACE:
            raise ValidationFailed(
                f"A space can pin at most {MAX_FACTS_PER_SPACE} key facts; remove one first.", code="too_many_key_facts"
            )
        fact = await repository.add_key_fact(session, ctx.scope, text=cleaned, created_by=ctx.user_id)
    await forget_business_context(ctx.scope)
    return fact


async def delete_fact(ctx: SpaceContext, fact_id: Any) -> None:
    """Unpin a fact (editors). Another space's fact id answers like an unknown one."""
    _require_editor(ctx)
    fid = parse_uuid(fact_id)
    if fid is None:
        raise NotFound(NOT_FOUND, code="key_fact_not_found")
    async with get_database().tenant(ctx.scope) as session:
        if not await repository.delete_key_fact(session, ctx.scope, fact_id=fid):
            raise NotFound(NOT_FOUND, code="key_fact_not_found")
    await forget_business_context(ctx.scope)


__all__ = ["MAX_FACTS_PER_SPACE", "add_fact", "delete_fact", "list_facts"]
