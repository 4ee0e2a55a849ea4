"""`SpaceContext`: who is acting, in which space, with which role. Resolved once per request or UI event.

Services take a `SpaceContext` (or its `scope`) as a required argument; nothing reads a "current space"
from a global. `Principal` is the verified caller before a space is chosen.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend.core.db import TenantScope
from backend.tenancy.models import ORG_ROLES, SPACE_ROLES

_SPACE_RANK = {role: rank for rank, role in enumerate(SPACE_ROLES)}
_ORG_RANK = {role: rank for rank, role in enumerate(ORG_ROLES)}


def space_role_at_least(role: str, minimum: str) -> bool:
    """True when `role` is `minimum` or above (viewer < editor < admin). Unknown roles are never enough."""
    if minimum not in _SPACE_RANK:
        raise ValueError(f"unknown space role {minimum!r}")
    return role in _SPACE_RANK and _SPACE_RANK[role] >= _SPACE_RANK[minimum]


def org_role_at_least(role: str, minimum: str) -> bool:
    """True when `role` is `minimum` or above (member < admin < owner)."""
    if minimum not in _ORG_RANK:
        raise ValueError(f"unknown organization role {minimum!r}")
    return role in _ORG_RANK and _ORG_RANK[role] >= _ORG_RANK[minimum]


@dataclass(frozen=True, slots=True)
class Principal:
    """A caller whose bearer token verified: signature, issuer, audience, time, revocation, generation."""

    user_id: uuid.UUID
    organization_id: uuid.UUID
    token_id: str
    expires_at: datetime
    claims: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def space_roles(self) -> dict[str, str]:
        """The token's `spaces` claim: a hint only (memberships in the database are the truth)."""
        spaces = self.claims.get("spaces")
        return {str(k): str(v) for k, v in spaces.items()} if isinstance(spaces, dict) else {}


@dataclass(frozen=True, slots=True)
class SpaceContext:
    """The caller inside one space. Build it with `resolve_space_context`, never from client input."""

    organization_id: uuid.UUID
    space_id: uuid.UUID
    user_id: uuid.UUID
    role: str
    space_name: str
    brand_voice: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    integrations: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    org_role: str = "member"

    @property
    def scope(self) -> TenantScope:
        """The tenant scope for repositories, cache keys, channels and paths."""
        return TenantScope(organization_id=self.organization_id, space_id=self.space_id)

    def can(self, minimum: str) -> bool:
        """True when the caller's space role is at least `minimum` (viewer < editor < admin)."""
        return space_role_at_least(self.role, minimum)

    @property
    def can_view(self) -> bool:
        return self.can("viewer")

    @property
    def can_edit(self) -> bool:
        return self.can("editor")

    @property
    def is_admin(self) -> bool:
        return self.can("admin")

    @property
    def is_org_admin(self) -> bool:
        return org_role_at_least(self.org_role, "admin")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the context cache stores it)."""
        return {
            "organization_id": str(self.organization_id),
            "space_id": str(self.space_id),
            "user_id": str(self.user_id),
            "role": self.role,
            "space_name": self.space_name,
            "brand_voice": self.brand_voice,
            "integrations": self.integrations,
            "org_role": self.org_role,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpaceContext:
        return cls(
            organization_id=uuid.UUID(data["organization_id"]),
            space_id=uuid.UUID(data["space_id"]),
            user_id=uuid.UUID(data["user_id"]),
            role=str(data["role"]),
            space_name=str(data["space_name"]),
            brand_voice=dict(data.get("brand_voice") or {}),
            integrations=dict(data.get("integrations") or {}),
            org_role=str(data.get("org_role") or "member"),
        )


__all__ = ["Principal", "SpaceContext", "org_role_at_least", "space_role_at_least"]
