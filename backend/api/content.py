"""Content and review over HTTP (tenant routes: X-Space-Id required).

Any member reads items, versions, audit packs and a published item's GA4 figures; editors create items, save
versions, comment, move items through review and link a published item to its address; space admins set the
review policy. Scores are computed when a version is saved and come back
with it. An action the item's state does not allow answers 409, like an approval of a superseded version.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from backend.api.deps import AdminCtx, Ctx, PageDep, set_total
from backend.content import audit, performance, service
from backend.content.review import State
from backend.content.schemas import (
    AuditPack,
    CommentCreate,
    CommentPublic,
    ContentCreate,
    ContentPerformance,
    ContentPublic,
    ContentSettingsPublic,
    ContentSettingsUpdate,
    ContentSummary,
    ContentType,
    PublishedUrlUpdate,
    TransitionCreate,
    VersionCreate,
    VersionPublic,
)

router = APIRouter(tags=["content"])
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The item's state does not allow this, or the version was superseded"}
}


@router.post(
    "/content",
    status_code=201,
    operation_id="create_content",
    response_model=ContentSummary,
    summary="Save a text (an agent's answer or your own) as a content item; its version 1 is scored (editors)",
)
async def create_content(body: ContentCreate, ctx: Ctx) -> ContentSummary:
    return await service.create_item(ctx, body)


@router.get(
    "/content",
    operation_id="list_content",
    response_model=list[ContentSummary],
    summary="The space's content items, most recently changed first, filtered by state, type and title",
)
async def list_content(
    ctx: Ctx,
    response: Response,
    page: PageDep,
    state: Annotated[list[State] | None, Query()] = None,
    type: Annotated[ContentType | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> list[ContentSummary]:
    rows, total = await service.list_items(
        ctx, states=state or (), content_type=type, search=q, limit=page.limit, offset=page.offset
    )
    set_total(response, total)
    return rows


@router.get(
    "/content-settings",
    operation_id="get_content_settings",
    response_model=ContentSettingsPublic,
    summary="The space's review policy",
)
async def get_content_settings(ctx: Ctx) -> ContentSettingsPublic:
    return await service.get_review_settings(ctx)


@router.put(
    "/content-settings",
    operation_id="update_content_settings",
    response_model=ContentSettingsPublic,
    summary="Require every claim to be supported (or a written override) before approval (space admins)",
)
async def update_content_settings(body: ContentSettingsUpdate, ctx: AdminCtx) -> ContentSettingsPublic:
    return await service.set_review_settings(ctx, require_supported_claims=body.require_supported_claims)


@router.get(
    "/content/{content_id}",
    operation_id="get_content",
    response_model=ContentPublic,
    summary="One item: its state, versions, review history and comments",
)
async def get_content(content_id: str, ctx: Ctx) -> ContentPublic:
    return await service.get_item(ctx, content_id)


@router.post(
    "/content/{content_id}/versions",
    status_code=201,
    operation_id="create_content_version",
    response_model=VersionPublic,
    summary="Save an edit as the next version, with its scores (editors)",
)
async def create_version(content_id: str, body: VersionCreate, ctx: Ctx) -> VersionPublic:
    return await service.add_version(ctx, content_id, body)


@router.get(
    "/content/{content_id}/versions/{number}",
    operation_id="get_content_version",
    response_model=VersionPublic,
    summary="One version: its text and the scores it got when it was saved",
)
async def get_version(content_id: str, number: str, ctx: Ctx) -> VersionPublic:
    return await service.get_version(ctx, content_id, number)


@router.post(
    "/content/{content_id}/transitions",
    operation_id="transition_content",
    response_model=ContentPublic,
    responses=_CONFLICT,
    summary="Submit, approve, request changes or publish (editors); 409 when the state does not allow it",
)
async def transition_content(content_id: str, body: TransitionCreate, ctx: Ctx) -> ContentPublic:
    return await service.transition(ctx, content_id, body)


@router.put(
    "/content/{content_id}/url",
    operation_id="set_content_url",
    response_model=ContentPublic,
    responses={409: {"description": "The item has never been published"}},
    summary="Link a published item to the http(s) address it is live at, or unlink it with null (editors)",
)
async def set_content_url(content_id: str, body: PublishedUrlUpdate, ctx: Ctx) -> ContentPublic:
    return await performance.set_published_url(ctx, content_id, body.url)


@router.get(
    "/content/{content_id}/performance",
    operation_id="get_content_performance",
    response_model=ContentPerformance,
    summary="The GA4 figures of a published item's address since its publication (`state` says why when none)",
)
async def get_content_performance(content_id: str, ctx: Ctx) -> ContentPerformance:
    return await performance.item_performance(ctx, content_id)


@router.post(
    "/content/{content_id}/comments",
    status_code=201,
    operation_id="create_content_comment",
    response_model=CommentPublic,
    summary="Comment on the item or one of its versions (editors)",
)
async def create_comment(content_id: str, body: CommentCreate, ctx: Ctx) -> CommentPublic:
    return await service.add_comment(ctx, content_id, body)


@router.get(
    "/content/{content_id}/audit-pack",
    operation_id="get_content_audit_pack",
    response_model=AuditPack,
    responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}}}},
    summary="Every version with its scores and sources, who reviewed and approved what, and which model wrote it",
)
async def audit_pack(
    content_id: str, ctx: Ctx, format: Annotated[Literal["json", "markdown"], Query()] = "json"
) -> Response:
    pack = await service.audit_pack(ctx, content_id)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", pack["item"]["title"]).strip("-")[:80] or "content"
    if format == "markdown":
        return Response(
            audit.to_markdown(pack),
            media_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}-audit.md"'},
        )
    return JSONResponse(pack, headers={"Content-Disposition": f'inline; filename="{name}-audit.json"'})
