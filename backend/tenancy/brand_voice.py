"""Brand voice: the organization's default and each space's overrides, which agents write and check against.

A space inherits every field of its organization's voice and overrides the fields it sets
(`access.merge_brand_voice`). Changing either drops the cached space contexts that carry the merged voice.
"""

from __future__ import annotations

from typing import Any

from backend.core.db import TenantScope, get_database
from backend.core.errors import Forbidden, ValidationFailed
from backend.safety.contamination import screen_field
from backend.tenancy import audit, repository
from backend.tenancy.access import forget_context, merge_brand_voice
from backend.tenancy.context import Principal, SpaceContext
from backend.tenancy.spaces import require_org_admin

TEXT_FIELDS = {"tone": 500, "audience": 1000, "example_copy": 4000}
LIST_FIELDS = {"values": 20, "preferred_terms": 100, "banned_terms": 100, "style_rules": 50}
MAX_ITEM = 200
FIELDS = (*TEXT_FIELDS, *LIST_FIELDS)


def clean_brand_voice(data: dict[str, Any]) -> dict[str, Any]:
    """Known fields only, trimmed and bounded; lists may also be given as newline- or comma-separated text."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown brand voice fields: {', '.join(sorted(unknown))}.", code="invalid_brand_voice")
    out: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        value = data.get(name)
        if value is None:
            continue
        text = str(value).strip()
        if len(text) > limit:
            raise ValidationFailed(f"'{name}' can be at most {limit} characters.", code="invalid_brand_voice")
        if text:
            out[name] = text
    for name, limit in LIST_FIELDS.items():
        value = data.get(name)
        if value is None:
            continue
        items = value if isinstance(value, list) else str(value).replace(",", "\n").splitlines()
        cleaned = [" ".join(str(item).split()) for item in items]
        cleaned = list(dict.fromkeys(item for item in cleaned if item))
        if len(cleaned) > limit or any(len(item) > MAX_ITEM for item in cleaned):
            raise ValidationFailed(
                f"'{name}' takes at most {limit} entries of at most {MAX_ITEM} characters.", code="invalid_brand_voice"
            )
        if cleaned:
            out[name] = cleaned
    _refuse_instructions(out)
    return out


def _refuse_instructions(voice: dict[str, Any]) -> None:
    """Every field goes into the agents' system prompt: text that reads as an instruction to the AI (pasted
    from an untrusted page, say) is refused with the field and the words that decided."""
    for name, value in voice.items():
        for text in value if isinstance(value, list) else [value]:
            verdict = screen_field(text)
            if verdict is not None:
                raise ValidationFailed(
                    f"'{name}' reads as an instruction to the AI rather than a description of the voice"
                    f" ({verdict}). Rephrase it as guidance for writers.",
                    code="brand_voice_injection",
                )


async def get_brand_voice(ctx: SpaceContext) -> dict[str, Any]:
    """The organization's voice, the space's overrides and the effective (merged) voice."""
    async with get_database().tenant(ctx.scope) as session:
        org_voice, space_voice = await repository.brand_voices(session, ctx.scope)
    return {"organization": org_voice, "space": space_voice, "effective": merge_brand_voice(org_voice, space_voice)}


async def set_space_brand_voice(ctx: SpaceContext, data: dict[str, Any]) -> dict[str, Any]:
    """Replace the space's overrides (space admins)."""
    if not ctx.is_admin:
        raise Forbidden("Only space admins can change the space's brand voice.", code="space_admin_required")
    voice = clean_brand_voice(data)
    database = get_database()
    async with database.tenant(ctx.scope) as session:
        space = await repository.lock_space(session, ctx.scope)
        space.brand_voice = voice
        email = await repository.email_of(session, user_id=ctx.user_id)
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=audit.Actor(ctx.user_id, email),
            action="brand_voice.space_changed",
            target=space.name,
            space_id=space.id,
            details={"fields": sorted(voice)},
        )
        members = await repository.member_ids(session, ctx.scope)
    await forget_context(ctx.scope, *members)
    return await get_brand_voice(ctx)


async def set_organization_brand_voice(principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    """Replace the organization's default voice (organization admins); every space inherits it."""
    database = get_database()
    await require_org_admin(principal)
    voice = clean_brand_voice(data)
    async with database.session(organization_id=principal.organization_id) as session:
        org = await repository.lock_organization(session, principal.organization_id)
        org.brand_voice = voice
        email = await repository.email_of(session, user_id=principal.user_id)
        await audit.record(
            session,
            organization_id=org.id,
            actor=audit.Actor(principal.user_id, email),
            action="brand_voice.organization_changed",
            target=org.name,
            details={"fields": sorted(voice)},
        )
        pairs = await repository.organization_memberships(session, principal.organization_id)
    for space_id, user_id in pairs:
        await forget_context(TenantScope(principal.organization_id, space_id), user_id)
    return voice
