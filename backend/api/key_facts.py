"""Pinned key facts over HTTP (tenant routes: X-Space-Id required; editors add and remove)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from backend.api.deps import Ctx, PageDep, set_total
from backend.retrieval import key_facts

router = APIRouter(tags=["retrieval"])


class KeyFactIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


@router.get("/key-facts", summary="The space's pinned key facts, newest first")
async def list_key_facts(ctx: Ctx, response: Response, page: PageDep) -> list[dict[str, Any]]:
    facts, total = await key_facts.list_facts(ctx, limit=page.limit, offset=page.offset)
    set_total(response, total)
    return [key_facts.public_fact(f) for f in facts]


@router.post("/key-facts", status_code=201, summary="Pin a key fact (editors)")
async def add_key_fact(body: KeyFactIn, ctx: Ctx) -> dict[str, Any]:
    return key_facts.public_fact(await key_facts.add_fact(ctx, body.text))


@router.delete("/key-facts/{fact_id}", status_code=204, summary="Unpin a key fact (editors)")
async def delete_key_fact(fact_id: str, ctx: Ctx) -> Response:
    await key_facts.delete_fact(ctx, fact_id)
    return Response(status_code=204)
