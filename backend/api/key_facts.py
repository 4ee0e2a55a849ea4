"""Pinned key facts over HTTP (tenant routes: X-Space-Id required; editors add and remove)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from backend.api.deps import Ctx, PageDep, set_total
from backend.retrieval import key_facts
from backend.retrieval.schemas import KeyFactCreate, KeyFactPublic

router = APIRouter(tags=["retrieval"])


@router.get("/key-facts", operation_id="list_key_facts", summary="The space's pinned key facts, newest first")
async def list_key_facts(ctx: Ctx, response: Response, page: PageDep) -> list[KeyFactPublic]:
    facts, total = await key_facts.list_facts(ctx, limit=page.limit, offset=page.offset)
    set_total(response, total)
    return [KeyFactPublic.model_validate(f) for f in facts]


@router.post("/key-facts", status_code=201, operation_id="add_key_fact", summary="Pin a key fact (editors)")
async def add_key_fact(body: KeyFactCreate, ctx: Ctx) -> KeyFactPublic:
    return KeyFactPublic.model_validate(await key_facts.add_fact(ctx, body.text))


@router.delete(
    "/key-facts/{fact_id}", status_code=204, operation_id="delete_key_fact", summary="Unpin a key fact (editors)"
)
async def delete_key_fact(fact_id: str, ctx: Ctx) -> Response:
    await key_facts.delete_fact(ctx, fact_id)
    return Response(status_code=204)
