"""Brand voice: the organization's default and each space's overrides, which agents write and check against.

A space inherits every field of its organization's voice and overrides the fields it sets
(`access.merge_brand_voice`). Changing either drops the cached space contexts that carry the merged voice.

Besides words, a voice holds measurable targets the voice score checks: `reading_level` (a Flesch-Kincaid
grade range) and `sentence_length` (a range of average words per sentence), each `{"min", "max"}` with either
bound optional; and a space's `guideline_documents`, ids of its ready documents whose chunks the score cites
first. Documents sit above tenancy in the import order, so the caller passes the check of those ids
(`DocumentCheck`, the documents service's `ready_document_ids`): tenancy never reads the documents table.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from backend.core.db import TenantScope, get_database
from backend.core.errors import Forbidden, ValidationFailed
from backend.safety.contamination import screen_field
from backend.tenancy import audit, repository
from backend.tenancy.access import forget_context, merge_brand_voice, parse_uuid
from backend.tenancy.context import Principal, SpaceContext
from backend.tenancy.spaces import require_org_admin

TEXT_FIELDS = {"tone": 500, "audience": 1000, "example_copy": 4000}
LIST_FIELDS = {"values": 20, "preferred_terms": 100, "banned_terms": 100, "style_rules": 50}
MAX_ITEM = 200
RANGE_FIELDS = {
    # field: (what a bound counts, lowest allowed, highest allowed)
    "reading_level": ("grade", 1, 18),
    "sentence_length": ("words per sentence on average", 3, 60),
}
GUIDELINE_DOCUMENTS = "guideline_documents"
MAX_GUIDELINE_DOCUMENTS = 20
FIELDS = (*TEXT_FIELDS, *LIST_FIELDS, *RANGE_FIELDS, GUIDELINE_DOCUMENTS)

DocumentCheck = Callable[[SpaceContext, list[uuid.UUID]], Awaitable[set[uuid.UUID]]]
"""Which of the ids are ready documents of the caller's space (the others are refused)."""


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
    for name in RANGE_FIELDS:
        bounds = _clean_range(name, data.get(name))
        if bounds:
            out[name] = bounds
    documents = _clean_document_ids(data.get(GUIDELINE_DOCUMENTS))
    if documents:
        out[GUIDELINE_DOCUMENTS] = documents
    _refuse_instructions(out)
    return out


def _bound(name: str, which: str, value: Any) -> int | float | None:
    unit, low, high = RANGE_FIELDS[name]
    label = name.replace("_", " ")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    except ValueError:
        message = f"The {label}'s {which} must be a number ({unit})."
        raise ValidationFailed(message, code="invalid_brand_voice") from None
    if not low <= number <= high:
        raise ValidationFailed(
            f"The {label}'s {which} must be between {low} and {high} ({unit}); {number:g} is not.",
            code="invalid_brand_voice",
        )
    return int(number) if number.is_integer() else round(number, 1)


def _clean_range(name: str, value: Any) -> dict[str, int | float]:
    """`{"min": ..., "max": ...}` with either bound optional; the lower may not exceed the higher."""
    if value is None or value == {}:
        return {}
    label = name.replace("_", " ")
    if not isinstance(value, dict) or set(value) - {"min", "max"}:
        raise ValidationFailed(f"The {label} takes a 'min' and a 'max'.", code="invalid_brand_voice")
    low, high = _bound(name, "minimum", value.get("min")), _bound(name, "maximum", value.get("max"))
    if low is not None and high is not None and low > high:
        raise ValidationFailed(
            f"The {label}'s minimum ({low:g}) is above its maximum ({high:g}).", code="invalid_brand_voice"
        )
    return {k: v for k, v in (("min", low), ("max", high)) if v is not None}


def _clean_document_ids(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).replace(",", "\n").splitlines()
    ids: list[str] = []
    for item in items:
        if not str(item).strip():
            continue
        parsed = parse_uuid(str(item).strip())
        if parsed is None:
            raise ValidationFailed(f"'{str(item)[:60]}' is not a document id.", code="invalid_guideline_document")
        if str(parsed) not in ids:
            ids.append(str(parsed))
    if len(ids) > MAX_GUIDELINE_DOCUMENTS:
        raise ValidationFailed(
            f"Link at most {MAX_GUIDELINE_DOCUMENTS} guideline documents.", code="invalid_guideline_document"
        )
    return ids


async def _require_ready_documents(ctx: SpaceContext, voice: dict[str, Any], documents: DocumentCheck) -> None:
    """Every linked guideline document must be a ready document of this space; another space's id is answered
    like a missing one (no existence oracle)."""
    wanted = [uuid.UUID(i) for i in voice.get(GUIDELINE_DOCUMENTS) or []]
    if not wanted:
        return
    ready = await documents(ctx, wanted)
    missing = [str(i) for i in wanted if i not in ready]
    if missing:
        raise ValidationFailed(
            f"Guideline documents must be ready documents of this space; not one: {', '.join(missing)}.",
            code="invalid_guideline_document",
        )


def _refuse_instructions(voice: dict[str, Any]) -> None:
    """Every field goes into the agents' system prompt: text that reads as an instruction to the AI (pasted
    from an untrusted page, say) is refused with the field and the words that decided."""
    for name, value in voice.items():
        if name not in TEXT_FIELDS and name not in LIST_FIELDS:
            continue
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


async def set_space_brand_voice(ctx: SpaceContext, data: dict[str, Any], *, documents: DocumentCheck) -> dict[str, Any]:
    """Replace the space's overrides (space admins). `documents` says which linked guideline documents are
    ready documents of the space."""
    if not ctx.is_admin:
        raise Forbidden("Only space admins can change the space's brand voice.", code="space_admin_required")
    voice = clean_brand_voice(data)
    await _require_ready_documents(ctx, voice, documents)
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
    if voice.get(GUIDELINE_DOCUMENTS):
        raise ValidationFailed(
            "Guideline documents belong to a space: link them on the space's brand voice.",
            code="invalid_guideline_document",
        )
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
