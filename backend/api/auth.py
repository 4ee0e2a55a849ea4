"""Sign-up, log-in, log-out, the caller, JWKS, and invitation acceptance."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from backend.api.deps import CurrentPrincipal, client_address
from backend.auth.keys import refresh_keyring_if_stale
from backend.core.db import get_database
from backend.tenancy import accounts, members

router = APIRouter(tags=["auth"])


class SignUp(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    name: str = Field(max_length=400)
    organization_name: str = Field(max_length=400)


class Credentials(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class Accept(BaseModel):
    name: str = Field(default="", max_length=400)
    password: str = Field(max_length=1024)


@router.post("/auth/signup", status_code=201, summary="Create an organization, its first space and its owner")
async def signup(body: SignUp) -> dict[str, Any]:
    session = await accounts.sign_up(
        email=body.email, password=body.password, name=body.name, organization_name=body.organization_name
    )
    return session.public()


@router.post("/auth/token", summary="Log in with email and password")
async def token(body: Credentials, request: Request) -> dict[str, Any]:
    session = await accounts.log_in(email=body.email, password=body.password, client=client_address(request))
    return session.public()


@router.post("/auth/logout", status_code=204, summary="Revoke the caller's token everywhere")
async def logout(principal: CurrentPrincipal) -> Response:
    await accounts.log_out(principal)
    return Response(status_code=204)


@router.get("/auth/me", summary="The caller and their spaces")
async def me(principal: CurrentPrincipal) -> dict[str, Any]:
    return await accounts.me(principal)


@router.get("/.well-known/jwks.json", summary="Public signing keys (current and previous)")
async def jwks() -> dict[str, Any]:
    return (await refresh_keyring_if_stale(get_database())).jwks()


@router.get("/invitations/{token}", summary="Who an invitation is for (before accepting it)")
async def describe_invitation(token: str) -> dict[str, Any]:
    return await members.describe_invitation(token)


@router.post("/invitations/{token}/accept", summary="Accept an invitation by setting a name and password")
async def accept_invitation(token: str, body: Accept) -> dict[str, Any]:
    session = await members.accept_invitation(token, name=body.name, password=body.password)
    return session.public()
