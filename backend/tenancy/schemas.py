"""The API shapes of tenancy: sign-up and log-in, the caller, spaces, members, invitations, brand voice, audit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.tenancy.models import AuditEntry

# The audit page's words for the actions it knows; anything else is shown by its name.
AUDIT_ACTIONS = {
    "organization.created": "Organization created",
    "space.created": "Space created",
    "space.renamed": "Space renamed",
    "space.archived": "Space archived",
    "member.invited": "Member invited",
    "member.added": "Member added",
    "member.joined": "Invitation accepted",
    "member.role_changed": "Member role changed",
    "member.removed": "Member removed",
    "invitation.revoked": "Invitation revoked",
    "keys.rotated": "Signing keys rotated",
    "brand_voice.space_changed": "Space brand voice changed",
    "brand_voice.organization_changed": "Organization brand voice changed",
    "login.failed_repeatedly": "Repeated failed log-ins",
    "email.verified": "E-mail address verified",
    "account.email_released": "Unverified e-mail address given up to an invitation",
}

SpaceRole = Literal["admin", "editor", "viewer"]


class AccountCreate(BaseModel):
    """Sign-up: a new organization, its first space, and its owner."""

    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    name: str = Field(max_length=400)
    organization_name: str = Field(max_length=400)


class Credentials(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class InvitationAccept(BaseModel):
    name: str = Field(default="", max_length=400)
    password: str = Field(max_length=1024)


class EmailVerification(BaseModel):
    """The token of a mailed address-verification link."""

    token: str = Field(max_length=200)


class EmailVerified(BaseModel):
    verified: bool


class SignInPublic(BaseModel):
    """What a successful sign-up, log-in or invitation acceptance answers: an access token and whose it is."""

    model_config = ConfigDict(from_attributes=True)

    user_id: uuid.UUID
    organization_id: uuid.UUID
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth token type, not a secret)
    expires_at: datetime
    space_id: uuid.UUID | None = Field(default=None, description="The space to start in (sign-up, invitation)")


class MemberSpace(BaseModel):
    """A space the caller belongs to, with their role in it."""

    id: uuid.UUID
    name: str
    role: SpaceRole


class MePublic(BaseModel):
    """The caller and their spaces (fresh from the database, not from the token)."""

    user_id: uuid.UUID
    email: str
    name: str
    organization_id: uuid.UUID
    organization_name: str
    org_role: str
    spaces: list[MemberSpace]
    email_verified: bool = Field(False, description="The address was confirmed through a link mailed to it.")
    email_verification_available: bool = Field(
        False, description="This server can mail links (SMTP is configured), so the address can be confirmed."
    )


class VerificationSent(BaseModel):
    """A new confirmation link is on its way; the previous one no longer works."""

    sent: bool = True
    resend_after_seconds: int = Field(description="Seconds before another link may be asked for.")


class Jwk(BaseModel):
    """An RSA public key that verifies RS256 signatures (RFC 7517)."""

    kty: Literal["RSA"]
    kid: str
    alg: str
    use: Literal["sig"]
    n: str
    e: str


class Jwks(BaseModel):
    """The live public signing keys (current and previous)."""

    keys: list[Jwk]


class SpaceCreate(BaseModel):
    name: str = Field(max_length=400)


class SpacePublic(BaseModel):
    id: uuid.UUID
    name: str


class OrganizationSpace(BaseModel):
    """A space of the organization as its admins see it."""

    id: uuid.UUID
    name: str
    members: int
    archived: bool
    created_at: datetime


class CurrentSpace(BaseModel):
    """The space named by X-Space-Id, as the caller sees it (with the effective brand voice)."""

    id: uuid.UUID
    name: str
    organization_id: uuid.UUID
    role: SpaceRole
    brand_voice: dict[str, Any]


class MemberCreate(BaseModel):
    email: str = Field(max_length=320)
    role: SpaceRole = "editor"


class MemberUpdate(BaseModel):
    role: SpaceRole


class MemberPublic(BaseModel):
    user_id: uuid.UUID
    email: str
    name: str
    role: SpaceRole
    joined_at: datetime


class MemberRole(BaseModel):
    """A member's role after a change."""

    user_id: uuid.UUID
    email: str
    role: SpaceRole


class InviteOutcome(BaseModel):
    """An invitation: a link to pass on (`invited`), or `added` when the person is already in the organization."""

    model_config = ConfigDict(from_attributes=True)

    status: Literal["invited", "added"]
    email: str
    role: SpaceRole
    invitation_token: str | None = None
    invitation_url: str | None = None
    emailed: bool = False


class InvitationPublic(BaseModel):
    """A pending invitation of a space."""

    id: uuid.UUID
    email: str
    role: SpaceRole
    expires_at: datetime


class InvitationPreview(BaseModel):
    """Who an invitation is for, shown before it is accepted."""

    email: str
    role: SpaceRole
    expires_at: datetime


class VoiceRange(BaseModel):
    """A target range; either bound may be left out. Checked (bounds, min <= max) by the brand voice service."""

    model_config = ConfigDict(extra="forbid")

    min: int | float | str | None = None
    max: int | float | str | None = None


class BrandVoice(BaseModel):
    """Brand voice fields; lists may also be sent as newline- or comma-separated text. `reading_level` is a
    Flesch-Kincaid grade range (1-18), `sentence_length` a range of average words per sentence (3-60);
    `guideline_documents` are ids of ready documents of the space (space voice only) whose chunks the voice
    score cites first."""

    model_config = ConfigDict(extra="forbid")

    tone: str | None = None
    audience: str | None = None
    example_copy: str | None = None
    values: list[str] | str | None = None
    preferred_terms: list[str] | str | None = None
    banned_terms: list[str] | str | None = None
    style_rules: list[str] | str | None = None
    reading_level: VoiceRange | None = None
    sentence_length: VoiceRange | None = None
    guideline_documents: list[str] | str | None = None


class BrandVoiceSettings(BaseModel):
    """The organization's voice, the space's overrides, and the effective (merged) voice agents receive."""

    organization: BrandVoice
    space: BrandVoice
    effective: BrandVoice


class AuditEntryPublic(BaseModel):
    """One administrative action: who did what, when, under which correlation id."""

    id: uuid.UUID
    action: str
    description: str
    actor_email: str
    target: str | None
    space_id: uuid.UUID | None
    details: dict[str, Any]
    correlation_id: str | None
    created_at: datetime

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryPublic:
        return cls(
            id=entry.id,
            action=entry.action,
            description=AUDIT_ACTIONS.get(entry.action, entry.action),
            actor_email=entry.actor_email or "system",
            target=entry.target,
            space_id=entry.space_id,
            details=entry.details,
            correlation_id=entry.correlation_id,
            created_at=entry.created_at,
        )


__all__ = [
    "AUDIT_ACTIONS",
    "AccountCreate",
    "AuditEntryPublic",
    "BrandVoice",
    "BrandVoiceSettings",
    "Credentials",
    "CurrentSpace",
    "EmailVerification",
    "EmailVerified",
    "InvitationAccept",
    "InvitationPreview",
    "InvitationPublic",
    "InviteOutcome",
    "Jwk",
    "Jwks",
    "MePublic",
    "MemberCreate",
    "MemberPublic",
    "MemberRole",
    "MemberSpace",
    "MemberUpdate",
    "OrganizationSpace",
    "SignInPublic",
    "SpaceCreate",
    "SpacePublic",
    "SpaceRole",
    "VoiceRange",
]
