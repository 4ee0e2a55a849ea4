"""Spaces and their members. Member routes carry the space in the path (and in X-Space-Id if sent)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from backend.api.deps import Ctx, CurrentPrincipal, PageDep, PathCtx, set_total
from backend.documents import service as documents_service
from backend.tenancy import brand_voice, invitations, members, spaces
from backend.tenancy.schemas import (
    BrandVoice,
    BrandVoiceSettings,
    CurrentSpace,
    InvitationPublic,
    InviteOutcome,
    MemberCreate,
    MemberPublic,
    MemberRole,
    MemberSpace,
    MemberUpdate,
    OrganizationSpace,
    SpaceCreate,
    SpacePublic,
)

router = APIRouter(tags=["spaces"])


@router.get("/spaces", operation_id="list_spaces", summary="The caller's spaces with their role")
async def list_spaces(principal: CurrentPrincipal, response: Response, page: PageDep) -> list[MemberSpace]:
    items = await spaces.list_spaces(principal)
    set_total(response, len(items))
    return [MemberSpace.model_validate(s) for s in items[page.offset : page.offset + page.limit]]


@router.get(
    "/organization/spaces",
    operation_id="list_organization_spaces",
    summary="Every space of the organization (organization admins)",
)
async def list_organization_spaces(principal: CurrentPrincipal) -> list[OrganizationSpace]:
    return [OrganizationSpace.model_validate(s) for s in await spaces.list_organization_spaces(principal)]


@router.post("/spaces", status_code=201, operation_id="create_space", summary="Create a space (organization admins)")
async def create_space(body: SpaceCreate, principal: CurrentPrincipal) -> SpacePublic:
    return SpacePublic.model_validate(await spaces.create_space(principal, name=body.name))


@router.patch("/spaces/{space_id}", operation_id="rename_space", summary="Rename a space (organization admins)")
async def rename_space(space_id: str, body: SpaceCreate, principal: CurrentPrincipal) -> SpacePublic:
    return SpacePublic.model_validate(await spaces.rename_space(principal, space_id, name=body.name))


@router.delete(
    "/spaces/{space_id}", status_code=204, operation_id="archive_space", summary="Archive a space (organization admins)"
)
async def archive_space(space_id: str, principal: CurrentPrincipal) -> Response:
    await spaces.archive_space(principal, space_id)
    return Response(status_code=204)


@router.get("/spaces/{space_id}/members", operation_id="list_members", summary="Members of a space")
async def list_members(ctx: PathCtx, response: Response, page: PageDep) -> list[MemberPublic]:
    items = await members.list_members(ctx)
    set_total(response, len(items))
    return [MemberPublic.model_validate(m) for m in items[page.offset : page.offset + page.limit]]


@router.post(
    "/spaces/{space_id}/members",
    status_code=201,
    operation_id="invite_member",
    summary="Invite a member by email (space admins)",
)
async def invite_member(body: MemberCreate, ctx: PathCtx) -> InviteOutcome:
    return await invitations.invite(ctx, email=body.email, role=body.role)


@router.get(
    "/spaces/{space_id}/invitations", operation_id="list_invitations", summary="Pending invitations (space admins)"
)
async def list_invitations(ctx: PathCtx) -> list[InvitationPublic]:
    return [InvitationPublic.model_validate(i) for i in await invitations.list_invitations(ctx)]


@router.delete(
    "/spaces/{space_id}/invitations/{invitation_id}",
    status_code=204,
    operation_id="revoke_invitation",
    summary="Withdraw an invitation",
)
async def revoke_invitation(invitation_id: str, ctx: PathCtx) -> Response:
    await invitations.revoke_invitation(ctx, invitation_id)
    return Response(status_code=204)


@router.patch(
    "/spaces/{space_id}/members/{user_id}",
    operation_id="change_member_role",
    summary="Change a member's role (space admins)",
)
async def change_role(user_id: str, body: MemberUpdate, ctx: PathCtx) -> MemberRole:
    return MemberRole.model_validate(await members.change_role(ctx, user_id, role=body.role))


@router.delete(
    "/spaces/{space_id}/members/{user_id}",
    status_code=204,
    operation_id="remove_member",
    summary="Remove a member (space admins)",
)
async def remove_member(user_id: str, ctx: PathCtx) -> Response:
    await members.remove_member(ctx, user_id)
    return Response(status_code=204)


@router.get("/space", operation_id="get_current_space", summary="The space named by X-Space-Id, as the caller sees it")
async def current_space(ctx: Ctx) -> CurrentSpace:
    return CurrentSpace.model_validate(
        {
            "id": ctx.space_id,
            "name": ctx.space_name,
            "organization_id": ctx.organization_id,
            "role": ctx.role,
            "brand_voice": ctx.brand_voice,
        }
    )


@router.get(
    "/space/brand-voice",
    operation_id="get_brand_voice",
    response_model_exclude_none=True,
    summary="The space's brand voice: organization default, overrides, effective",
)
async def get_brand_voice(ctx: Ctx) -> BrandVoiceSettings:
    return BrandVoiceSettings.model_validate(await brand_voice.get_brand_voice(ctx))


@router.put(
    "/space/brand-voice",
    operation_id="set_space_brand_voice",
    response_model_exclude_none=True,
    summary="Replace the space's brand voice overrides (space admins)",
)
async def put_space_brand_voice(body: BrandVoice, ctx: Ctx) -> BrandVoiceSettings:
    voice = await brand_voice.set_space_brand_voice(
        ctx, body.model_dump(exclude_none=True), documents=documents_service.ready_document_ids
    )
    return BrandVoiceSettings.model_validate(voice)


@router.put(
    "/organization/brand-voice",
    operation_id="set_organization_brand_voice",
    response_model_exclude_none=True,
    summary="Replace the organization's default brand voice (org admins)",
)
async def put_organization_brand_voice(body: BrandVoice, principal: CurrentPrincipal) -> BrandVoice:
    return BrandVoice.model_validate(
        await brand_voice.set_organization_brand_voice(principal, body.model_dump(exclude_none=True))
    )
