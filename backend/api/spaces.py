"""Spaces and their members. Member routes carry the space in the path (and in X-Space-Id if sent)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from backend.api.deps import Ctx, CurrentPrincipal, PageDep, PathCtx, set_total
from backend.tenancy import brand_voice, members, spaces

router = APIRouter(tags=["spaces"])

Role = Literal["admin", "editor", "viewer"]


class SpaceIn(BaseModel):
    name: str = Field(max_length=400)


class MemberIn(BaseModel):
    email: str = Field(max_length=320)
    role: Role = "editor"


class RoleIn(BaseModel):
    role: Role


@router.get("/spaces", summary="The caller's spaces with their role")
async def list_spaces(principal: CurrentPrincipal, response: Response, page: PageDep) -> list[dict[str, str]]:
    items = await spaces.list_spaces(principal)
    set_total(response, len(items))
    return items[page.offset : page.offset + page.limit]


@router.get("/organization/spaces", summary="Every space of the organization (organization admins)")
async def list_organization_spaces(principal: CurrentPrincipal) -> list[dict[str, Any]]:
    return await spaces.list_organization_spaces(principal)


@router.post("/spaces", status_code=201, summary="Create a space (organization admins)")
async def create_space(body: SpaceIn, principal: CurrentPrincipal) -> dict[str, str]:
    return await spaces.create_space(principal, name=body.name)


@router.patch("/spaces/{space_id}", summary="Rename a space (organization admins)")
async def rename_space(space_id: str, body: SpaceIn, principal: CurrentPrincipal) -> dict[str, str]:
    return await spaces.rename_space(principal, space_id, name=body.name)


@router.delete("/spaces/{space_id}", status_code=204, summary="Archive a space (organization admins)")
async def archive_space(space_id: str, principal: CurrentPrincipal) -> Response:
    await spaces.archive_space(principal, space_id)
    return Response(status_code=204)


@router.get("/spaces/{space_id}/members", summary="Members of a space")
async def list_members(ctx: PathCtx, response: Response, page: PageDep) -> list[dict[str, Any]]:
    items = await members.list_members(ctx)
    set_total(response, len(items))
    return items[page.offset : page.offset + page.limit]


@router.post("/spaces/{space_id}/members", status_code=201, summary="Invite a member by email (space admins)")
async def invite_member(body: MemberIn, ctx: PathCtx) -> dict[str, Any]:
    return (await members.invite(ctx, email=body.email, role=body.role)).public()


@router.get("/spaces/{space_id}/invitations", summary="Pending invitations (space admins)")
async def list_invitations(ctx: PathCtx) -> list[dict[str, Any]]:
    return await members.list_invitations(ctx)


@router.delete("/spaces/{space_id}/invitations/{invitation_id}", status_code=204, summary="Withdraw an invitation")
async def revoke_invitation(invitation_id: str, ctx: PathCtx) -> Response:
    await members.revoke_invitation(ctx, invitation_id)
    return Response(status_code=204)


@router.patch("/spaces/{space_id}/members/{user_id}", summary="Change a member's role (space admins)")
async def change_role(user_id: str, body: RoleIn, ctx: PathCtx) -> dict[str, str]:
    return await members.change_role(ctx, user_id, role=body.role)


@router.delete("/spaces/{space_id}/members/{user_id}", status_code=204, summary="Remove a member (space admins)")
async def remove_member(user_id: str, ctx: PathCtx) -> Response:
    await members.remove_member(ctx, user_id)
    return Response(status_code=204)


@router.get("/space", summary="The space named by X-Space-Id, as the caller sees it")
async def current_space(ctx: Ctx) -> dict[str, Any]:
    return {
        "id": str(ctx.space_id),
        "name": ctx.space_name,
        "organization_id": str(ctx.organization_id),
        "role": ctx.role,
        "brand_voice": ctx.brand_voice,
    }


class BrandVoiceIn(BaseModel):
    """Brand voice fields; lists may also be sent as newline- or comma-separated text."""

    model_config = ConfigDict(extra="forbid")

    tone: str | None = None
    audience: str | None = None
    example_copy: str | None = None
    values: list[str] | str | None = None
    preferred_terms: list[str] | str | None = None
    banned_terms: list[str] | str | None = None
    style_rules: list[str] | str | None = None


@router.get("/space/brand-voice", summary="The space's brand voice: organization default, overrides, effective")
async def get_brand_voice(ctx: Ctx) -> dict[str, Any]:
    return await brand_voice.get_brand_voice(ctx)


@router.put("/space/brand-voice", summary="Replace the space's brand voice overrides (space admins)")
async def put_space_brand_voice(body: BrandVoiceIn, ctx: Ctx) -> dict[str, Any]:
    return await brand_voice.set_space_brand_voice(ctx, body.model_dump(exclude_none=True))


@router.put("/organization/brand-voice", summary="Replace the organization's default brand voice (org admins)")
async def put_organization_brand_voice(body: BrandVoiceIn, principal: CurrentPrincipal) -> dict[str, Any]:
    return await brand_voice.set_organization_brand_voice(principal, body.model_dump(exclude_none=True))
