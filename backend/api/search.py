"""Retrieval over HTTP: `POST /api/v1/search` (tenant route: X-Space-Id required)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from backend.api.deps import Ctx
from backend.retrieval import service
from backend.retrieval.types import DEFAULT_TOP_K, MAX_TOP_K

router = APIRouter(tags=["retrieval"])


class SearchIn(BaseModel):
    query: str = Field(min_length=1, max_length=2000)
    document_ids: list[str] = Field(default_factory=list, max_length=50, description="Documents to search inside")
    urls: list[str] = Field(default_factory=list, max_length=10, description="Pages to read for this search")
    top_k: int = Field(default=DEFAULT_TOP_K, ge=1, le=MAX_TOP_K)
    enhance: bool | None = Field(default=None, description="Query enhancement; default: the server's setting")
    tags: list[str] = Field(default_factory=list, max_length=20, description="Search only documents with these tags")


@router.post(
    "/search",
    summary="Search the space: referenced documents, hybrid search, URLs and business context in parallel",
)
async def search(body: SearchIn, ctx: Ctx) -> dict[str, Any]:
    response = await service.search(
        ctx,
        body.query,
        document_ids=body.document_ids,
        urls=body.urls,
        tags=body.tags,
        top_k=body.top_k,
        enhance=body.enhance,
    )
    return response.to_dict()
