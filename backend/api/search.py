"""Retrieval over HTTP: `POST /api/v1/search` (tenant route: X-Space-Id required)."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.deps import Ctx
from backend.retrieval import service
from backend.retrieval.schemas import SearchRequest, SearchResponse

router = APIRouter(tags=["retrieval"])


@router.post(
    "/search",
    operation_id="search",
    summary="Search the space: referenced documents, hybrid search, URLs and business context in parallel",
)
async def search(body: SearchRequest, ctx: Ctx) -> SearchResponse:
    response = await service.search(
        ctx,
        body.query,
        document_ids=body.document_ids,
        urls=body.urls,
        tags=body.tags,
        top_k=body.top_k,
        enhance=body.enhance,
    )
    return SearchResponse.of(response)
