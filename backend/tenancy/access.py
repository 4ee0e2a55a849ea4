"""From a bearer token to a `Principal`, and from a principal and a space id to a `SpaceContext`.

Both are on every request's path, so both avoid the database in the common case:
  * the token is verified in memory (signature, claims) plus one cache read for revocation;
  * the user's token generation (bumped when they lose a membership or a role) is one cache read, loaded
    from PostgreSQL only on a miss: a token issued before the bump is refused at once, on every worker;
  * the space context (role, space name, brand voice, integrations) is cached for SPACE_CONTEXT_TTL_SECONDS
    per space, user and token generation, and dropped whenever a membership or a space setting changes.

A reader can load from PostgreSQL just before a removal commits and write to the cache just after the
removal published the new generation. So a cached generation is never lowered (`set_max`), and a cached
context is keyed by the generation of the token it was loaded for: a stale context written late sits under
a generation whose tokens are already refused.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.keys import refresh_keyring_if_stale
from backend.auth.tokens import verify_access_token
from backend.core.cache import get_cache, get_json, get_security_cache, set_json
from backend.core.config import get_settings
from backend.core.db import TenantScope, get_database
from backend.core.errors import Forbidden, Unauthorized
from backend.tenancy import repository
from backend.tenancy.context import Principal, SpaceContext

logger = logging.getLogger(__name__)

NO_ACCESS = "You do not have access to this space."
"""One message for "no such space" and "not a member": the answer must not reveal which spaces exist."""


_DISABLED = "disabled"


def _gen_key(user_id: uuid.UUID) -> str:
    return f"tenancy:user-generation:{user_id}"


def _ctx_key(scope: TenantScope, user_id: uuid.UUID, generation: int | None) -> str:
    return f"tenancy:context:{scope.key()}:user:{user_id}:gen:{generation}"


def parse_uuid(value: Any, *, what: str = "id") -> uuid.UUID | None:
    """A UUID from client input, or None when it is not one (callers answer as for an unknown id)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


async def current_generation(organization_id: uuid.UUID, user_id: uuid.UUID) -> int | None:
    """The user's token generation (None if the user does not exist or is disabled)."""
    cache = get_security_cache()
    cached = await cache.get(_gen_key(user_id))
    if cached is None:
        database = get_database()
        async with database.session(organization_id=organization_id) as session:
            user = await repository.get_user(session, user_id=user_id)
        ttl = get_settings().space_context_ttl_seconds
        if user is None or user.disabled_at is not None:
            await cache.set(_gen_key(user_id), _DISABLED, ttl)
            return None
        # What was read may already be stale: a higher generation published meanwhile wins.
        cached = await cache.set_max(_gen_key(user_id), user.token_generation, ttl)
    return None if cached == _DISABLED else int(cached)


async def publish_generation(user_id: uuid.UUID, generation: int) -> None:
    """Make a bumped generation visible to every worker at once (the cache is shared through Redis)."""
    await get_security_cache().set_max(_gen_key(user_id), generation, get_settings().space_context_ttl_seconds)


async def authenticate(token: str | None) -> Principal:
    """Verify a bearer token and check it was issued after the user's last loss of access."""
    if not token:
        raise Unauthorized("Sign in to continue: this request has no access token.", code="missing_token")
    # Loads the keys on first use and re-reads them now and then, so rotations by other processes are seen.
    await refresh_keyring_if_stale(get_database())
    claims = await verify_access_token(token)
    user_id = parse_uuid(claims.get("sub"))
    org_id = parse_uuid(claims.get("org_id"))
    generation = claims.get("gen")
    if user_id is None or org_id is None or not isinstance(generation, int):
        raise Unauthorized("The access token is not valid.", code="invalid_token")
    current = await current_generation(org_id, user_id)
    if current is None:
        raise Unauthorized("This account no longer exists or is disabled.", code="account_disabled")
    if generation < current:
        raise Unauthorized(
            "Your access has changed since you signed in. Please sign in again.", code="token_superseded"
        )
    return Principal(
        user_id=user_id,
        organization_id=org_id,
        token_id=str(claims.get("jti")),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        claims=claims,
    )


async def resolve_space_context(principal: Principal, space_id: Any) -> SpaceContext:
    """The caller's context in `space_id`, or Forbidden with the same answer whether or not it exists."""
    sid = parse_uuid(space_id)
    if sid is None:
        raise Forbidden(NO_ACCESS, code="space_forbidden")
    scope = TenantScope(organization_id=principal.organization_id, space_id=sid)
    cache = get_cache()
    generation = principal.claims.get("gen")
    key = _ctx_key(scope, principal.user_id, generation if isinstance(generation, int) else None)
    cached = await get_json(cache, key)
    if isinstance(cached, dict):
        return SpaceContext.from_dict(cached)
    context = await _load_context(principal, sid)
    if context is None:
        raise Forbidden(NO_ACCESS, code="space_forbidden")
    await set_json(cache, key, context.to_dict(), get_settings().space_context_ttl_seconds)
    return context


async def _load_context(principal: Principal, space_id: uuid.UUID) -> SpaceContext | None:
    database = get_database()
    org_id, user_id = principal.organization_id, principal.user_id
    async with database.session(organization_id=org_id, space_id=space_id, user_id=user_id) as session:
        return await member_context_in(session, TenantScope(org_id, space_id), user_id)


async def member_context_in(session: AsyncSession, scope: TenantScope, user_id: uuid.UUID) -> SpaceContext | None:
    """`member_context` read in a transaction the caller holds, confined to `scope` (`Database.tenant`): a
    queued run's worker reads it in the transaction that claims the run, one round trip less per run."""
    row = await repository.active_membership(session, scope, user_id=user_id)
    if row is None:
        return None
    org_role = await repository.organization_role(session, scope.organization_id, user_id=user_id)
    space, role, org_voice = row
    return SpaceContext(
        organization_id=scope.organization_id,
        space_id=space.id,
        user_id=user_id,
        role=role,
        space_name=space.name,
        brand_voice=merge_brand_voice(org_voice or {}, space.brand_voice or {}),
        integrations=dict(space.integrations or {}),
        org_role=org_role or "member",
    )


async def member_context(scope: TenantScope, user_id: uuid.UUID) -> SpaceContext | None:
    """The context of `user_id` in `scope` for work the server does on the user's behalf (a queued run).

    The membership is read fresh from the database (never from a cache or a token): a user removed from the
    space after queueing work gets None, and the work does not run.
    """
    principal = Principal(
        user_id=user_id, organization_id=scope.organization_id, token_id="", expires_at=datetime.now(UTC)
    )
    return await _load_context(principal, scope.space_id)


def merge_brand_voice(organization: dict[str, Any], space: dict[str, Any]) -> dict[str, Any]:
    """A space inherits its organization's brand voice and overrides it key by key."""
    merged = dict(organization)
    merged.update({k: v for k, v in space.items() if v not in (None, "", [], {})})
    return merged


async def forget_context(scope: TenantScope, *user_ids: uuid.UUID) -> None:
    """Drop cached contexts after a membership or space setting changed (those of the users' live tokens,
    which carry their current generation; older generations' tokens are refused anyway)."""
    keys = [space_profile_key(scope)]
    for uid in user_ids:
        generation = await current_generation(scope.organization_id, uid)
        if generation is not None:
            keys.append(_ctx_key(scope, uid, generation))
    await get_cache().delete(*keys)


def space_profile_key(scope: TenantScope) -> str:
    """The cache key of what every search reads about a space (its and its organization's names and brand voice,
    its key facts): `forget_context` drops it whenever a space setting changes, the key facts' service when a
    fact is added or removed."""
    return f"space-profile:{scope.key()}"


async def org_role_of(principal: Principal) -> str | None:
    """The caller's organization role, read fresh (organization administration is rare and must be exact)."""
    database = get_database()
    async with database.session(organization_id=principal.organization_id) as session:
        return await repository.organization_role(session, principal.organization_id, user_id=principal.user_id)
