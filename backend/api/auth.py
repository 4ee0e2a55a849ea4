"""Sign-up, log-in, log-out, the caller, JWKS, and invitation acceptance."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from backend.api.deps import CurrentPrincipal, client_address
from backend.auth.keys import refresh_keyring_if_stale
from backend.core.db import get_database
from backend.tenancy import accounts, invitations, verification
from backend.tenancy.schemas import (
    AccountCreate,
    Credentials,
    EmailVerification,
    EmailVerified,
    InvitationAccept,
    InvitationPreview,
    Jwks,
    MePublic,
    SignInPublic,
    VerificationSent,
)

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/signup",
    status_code=201,
    operation_id="signup",
    summary="Create an organization, its first space and its owner",
    responses={
        409: {"description": "An account with this e-mail address already exists"},
        429: {"description": "Too many sign-ups from this client address failed recently (Retry-After says when)"},
    },
)
async def signup(body: AccountCreate, request: Request) -> SignInPublic:
    sign_in = await accounts.sign_up(
        email=body.email,
        password=body.password,
        name=body.name,
        organization_name=body.organization_name,
        client=client_address(request),
    )
    return SignInPublic.model_validate(sign_in)


@router.post(
    "/auth/verify-email",
    operation_id="verify_email",
    summary="Confirm an e-mail address with the token of the link mailed to it",
    responses={404: {"description": "The link is unknown, used or expired"}},
)
async def verify_email(body: EmailVerification) -> EmailVerified:
    await verification.verify_email(body.token)
    return EmailVerified(verified=True)


@router.post(
    "/auth/verify-email/resend",
    status_code=202,
    operation_id="resend_verification",
    summary="Mail the caller a new link to confirm their e-mail address",
    responses={
        409: {"description": "The address is already confirmed, or this server cannot send e-mail (no SMTP)"},
        429: {"description": "A link was sent less than a minute ago"},
        503: {"description": "The mail server refused the message"},
    },
)
async def resend_verification(principal: CurrentPrincipal) -> VerificationSent:
    return VerificationSent(resend_after_seconds=await verification.resend_verification(principal))


@router.post("/auth/token", operation_id="login", summary="Log in with email and password")
async def token(body: Credentials, request: Request) -> SignInPublic:
    sign_in = await accounts.log_in(email=body.email, password=body.password, client=client_address(request))
    return SignInPublic.model_validate(sign_in)


@router.post("/auth/logout", status_code=204, operation_id="logout", summary="Revoke the caller's token everywhere")
async def logout(principal: CurrentPrincipal) -> Response:
    await accounts.log_out(principal)
    return Response(status_code=204)


@router.get("/auth/me", operation_id="me", summary="The caller and their spaces")
async def me(principal: CurrentPrincipal) -> MePublic:
    return MePublic.model_validate(await accounts.me(principal))


@router.get("/.well-known/jwks.json", operation_id="jwks", summary="Public signing keys (current and previous)")
async def jwks() -> Jwks:
    return Jwks.model_validate((await refresh_keyring_if_stale(get_database())).jwks())


@router.get(
    "/invitations/{token}",
    operation_id="describe_invitation",
    summary="Who an invitation is for (before accepting it)",
)
async def describe_invitation(token: str) -> InvitationPreview:
    return InvitationPreview.model_validate(await invitations.describe_invitation(token))


@router.post(
    "/invitations/{token}/accept",
    operation_id="accept_invitation",
    summary="Accept an invitation by setting a name and password",
)
async def accept_invitation(token: str, body: InvitationAccept, request: Request) -> SignInPublic:
    sign_in = await invitations.accept_invitation(
        token, name=body.name, password=body.password, client=client_address(request)
    )
    return SignInPublic.model_validate(sign_in)
