"""Content: what the UI and the API call. `ctx` first; policy here, SQL in `repository`, scores in `scoring`.

Every function that takes an item id answers NotFound, with one body, for a malformed id, a missing item and
another space's item (the same organization's other spaces included): no existence oracle.

A version's scores are computed before its transaction opens (retrieval reads the space's documents through
its own sessions and may call the embedding model), then stored with the version, so reading an item never
recomputes anything and a reviewer sees exactly what was measured when the text was saved.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.agents.grounding import is_claim, sentences
from backend.agents.tools.base import Passage, ToolEnv
from backend.agents.tools.env import space_tool_env
from backend.agents.tools.voice_rules import term_rules
from backend.content import audit, diff, learning, repository, review, scoring
from backend.content.models import ContentComment, ContentItem, ContentTransition, ContentVersion
from backend.content.schemas import (
    CONTENT_TYPES,
    CommentCreate,
    CommentPublic,
    ContentCreate,
    ContentPublic,
    ContentSettingsPublic,
    ContentSummary,
    TransitionCreate,
    TransitionPublic,
    VersionCreate,
    VersionPublic,
    VersionSummary,
)
from backend.core.db import get_database
from backend.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.documents import service as documents_service
from backend.retrieval.text import extract_urls
from backend.tenancy import brand_voice
from backend.tenancy.context import SpaceContext

ITEM_NOT_FOUND = "No such content item in this space."
VERSION_NOT_FOUND = "No such version of this content item."
GUIDELINES, APPROVED = ("brand_guidelines",), ("approved_content",)
MAX_CLAIM_SEARCHES = 8
"""Each checkable sentence gets its own search (a whole-text search favours the text's main topic), up to this
many; the rest are checked against the passages already found."""
QUERY_CHARS = 400
APPROVED_EXAMPLES = 10
HISTORY_ITEMS = 200
MAX_DECISIONS = 500


def content_hash(body: str) -> str:
    """SHA-256 of the exact text: names the version a reviewer saw."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def parse_item_id(value: Any) -> uuid.UUID:
    """A content item id from a request (malformed: the same NotFound as an item of another space)."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound(ITEM_NOT_FOUND, code="content_not_found") from None


def require_item(item: ContentItem | None) -> ContentItem:
    """The item a repository read found, or NotFound."""
    if item is None:
        raise NotFound(ITEM_NOT_FOUND, code="content_not_found")
    return item


RUN_NOT_FOUND = "No such agent run in this space."


async def _require_run(session: AsyncSession, ctx: SpaceContext, run_id: uuid.UUID | None) -> None:
    """A version's `run_id` must be a run of the space (answered like a missing one otherwise): the audit pack
    and the item page name that run as the text's origin."""
    if run_id is not None and not await repository.run_in_space(session, ctx.scope, run_id=run_id):
        raise NotFound(RUN_NOT_FOUND, code="run_not_found")


def require_editor(ctx: SpaceContext) -> None:
    if not ctx.can("editor"):
        raise Forbidden("Your role in this space is read-only.", code="editor_required")


def _clean_body(body: str) -> str:
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed("The text is empty.", code="empty_body")
    return text


def _query(text: str) -> str:
    """A search query from draft text: links removed (the retriever would read any page a query names)."""
    for url in extract_urls(text):
        text = text.replace(url, " ")
    return " ".join(text.split())[:QUERY_CHARS]


async def _approved_examples(ctx: SpaceContext, exclude_item: uuid.UUID | None) -> list[Passage]:
    """The space's recently approved versions, as passages "similarity to approved content" compares with:
    what reviewers approved is the team's voice, measured on its own decisions."""
    async with get_database().tenant(ctx.scope) as session:
        rows = await repository.approved_versions(
            session, ctx.scope, limit=APPROVED_EXAMPLES, exclude_item=exclude_item
        )
    return [
        Passage(f"content:{item_id}:{number}", None, f"Approved: {title}", (f"version {number}",), None, body)
        for item_id, title, number, body in rows
    ]


async def calibration(ctx: SpaceContext) -> learning.Calibration:
    """How well the voice score separates this space's approved versions from those sent back, and the
    sub-score weights fitted to those decisions once there are enough of them."""
    async with get_database().tenant(ctx.scope) as session:
        rows = await repository.review_decisions(session, ctx.scope, limit=MAX_DECISIONS)
    return learning.calibrate(
        (action == "approve", scores.get("brand_voice") or {}) for action, scores in rows if scores.get("brand_voice")
    )


async def _guidelines(env: ToolEnv, query: str) -> list[Passage]:
    """The guideline passages a draft is checked against: the documents tagged as brand guidelines and those
    the voice links, whose chunks come first (`space_tool_env`'s search; the rules read from them are the ones
    flags cite). A few more when the voice links documents, so tagged guides still have room."""
    linked = env.brand_voice.get("guideline_documents") or []
    return await env.search(query, GUIDELINES, 8 if linked else 6)


async def compute_scores(
    ctx: SpaceContext, content_type: str, title: str, body: str, *, item_id: uuid.UUID | None = None
) -> dict[str, Any]:
    """Score `body` against the space's brand voice, guidelines, approved content (documents tagged so and
    the space's approved versions of other items) and documents."""
    env = await space_tool_env(ctx)
    query = _query(body)
    guidelines = await _guidelines(env, query) if query else []
    approved = await env.search(query, APPROVED, 4) if query else []
    approved += await _approved_examples(ctx, item_id)
    weights = (await calibration(ctx)).weights
    passages: dict[str, Passage] = {}
    claims = [s for s in sentences(body) if is_claim(s)]
    for text in [query, *claims[:MAX_CLAIM_SEARCHES]]:
        q = _query(text)
        if q:
            for passage in await env.search(q, (), 8 if text is query else 3):
                passages.setdefault(passage.chunk_id, passage)
    # Pure but CPU-bound (about 90 ms for 1,200 words): off the event loop.
    return await asyncio.to_thread(
        scoring.score_version,
        content_type,
        title,
        body,
        voice=env.brand_voice,
        guidelines=guidelines,
        approved=approved,
        passages=list(passages.values()),
        weights=weights,
    )


def _summary_numbers(scores: dict[str, Any]) -> tuple[int | None, int | None]:
    voice = scores.get("brand_voice") or {}
    grounding = scores.get("grounding") or {}
    score = voice.get("score")
    unsupported = grounding.get("unsupported")
    return (int(score) if score is not None else None, int(unsupported) if unsupported is not None else None)


def _summary(item: ContentItem, version: ContentVersion | None) -> ContentSummary:
    return ContentSummary(
        id=item.id,
        title=item.title,
        type=item.type,  # type: ignore[arg-type]
        state=item.state,  # type: ignore[arg-type]
        version=item.current_version,
        voice_score=version.voice_score if version else None,
        unsupported_claims=version.unsupported_claims if version else None,
        created_by=item.created_by,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def _version_summary(v: ContentVersion, names: dict[uuid.UUID, str] | None = None) -> VersionSummary:
    return VersionSummary(
        number=v.number,
        hash=v.content_hash,
        created_at=v.created_at,
        created_by=v.created_by,
        author=(names or {}).get(v.created_by) if v.created_by else None,
        note=v.note,
        voice_score=v.voice_score,
    )


def _version_public(v: ContentVersion) -> VersionPublic:
    return VersionPublic(
        **_version_summary(v).model_dump(),
        body=v.body,
        scores=v.scores,
        run_id=v.run_id,
        model=v.model,
        prompt_version=v.prompt_version,
    )


def _transition_public(t: ContentTransition, names: dict[uuid.UUID, str]) -> TransitionPublic:
    return TransitionPublic(
        action=t.action,
        from_state=t.from_state,
        to_state=t.to_state,
        version=t.version,
        hash=t.content_hash,
        actor_id=t.actor_id,
        actor=t.actor_label or (names.get(t.actor_id) if t.actor_id else None),
        note=t.note,
        override=t.override,
        created_at=t.created_at,
    )


def _comment_public(c: ContentComment, names: dict[uuid.UUID, str]) -> CommentPublic:
    return CommentPublic(
        id=c.id,
        version=c.version,
        author_id=c.author_id,
        author=names.get(c.author_id) if c.author_id else None,
        body=c.body,
        created_at=c.created_at,
    )


async def create_item(ctx: SpaceContext, data: ContentCreate) -> ContentSummary:
    """A new draft item whose first version is `data.body`, scored (editors)."""
    require_editor(ctx)
    body, title = _clean_body(data.body), " ".join(data.title.split())
    if not title:
        raise ValidationFailed("Give the content a title.", code="empty_title")
    async with get_database().tenant(ctx.scope) as session:
        await _require_run(session, ctx, data.run_id)
    scores = await compute_scores(ctx, data.type, title, body)
    voice_score, unsupported = _summary_numbers(scores)
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        item = await repository.add_item(
            session, ctx.scope, title=title, content_type=data.type, run_id=data.run_id, user_id=ctx.user_id
        )
        version = await repository.add_version(
            session,
            ctx.scope,
            item=item,
            body=body,
            content_hash=content_hash(body),
            scores=scores,
            voice_score=voice_score,
            unsupported_claims=unsupported,
            user_id=ctx.user_id,
            run_id=data.run_id,
            model=data.model,
            prompt_version=data.prompt_version,
        )
        return _summary(item, version)


async def add_version(ctx: SpaceContext, item_id: Any, data: VersionCreate) -> VersionPublic:
    """Save an edit as the item's next version, scored (editors). Saving the same text as the current version
    changes nothing and answers the current version (a double click is not a new version). A new version of an
    approved or published item sends it back to draft: the approval was of another text."""
    require_editor(ctx)
    iid, body = parse_item_id(item_id), _clean_body(data.body)
    async with get_database().tenant(ctx.scope) as session:
        item = require_item(await repository.get_item(session, ctx.scope, item_id=iid))
        title, content_type = item.title, item.type
        await _require_run(session, ctx, data.run_id)
    scores = await compute_scores(ctx, content_type, title, body, item_id=iid)
    voice_score, unsupported = _summary_numbers(scores)
    digest = content_hash(body)
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        item = require_item(await repository.get_item(session, ctx.scope, item_id=iid, lock=True))
        current = await repository.get_version(session, ctx.scope, item_id=iid, number=item.current_version)
        if current is not None and current.content_hash == digest:
            return _version_public(current)
        version = await repository.add_version(
            session,
            ctx.scope,
            item=item,
            body=body,
            content_hash=digest,
            scores=scores,
            voice_score=voice_score,
            unsupported_claims=unsupported,
            user_id=ctx.user_id,
            run_id=data.run_id,
            model=data.model,
            prompt_version=data.prompt_version,
            note=(data.note or "").strip() or None,
        )
        to_state = review.next_state(item.state, "revise")
        if to_state is not None:
            await repository.add_transition(
                session,
                ctx.scope,
                item=item,
                action="revise",
                to_state=to_state,
                version=version,
                actor_id=ctx.user_id,
                actor_label=None,
                note=f"Version {version.number} saved.",
            )
        return _version_public(version)


async def apply_fix(ctx: SpaceContext, item_id: Any, number: int, flag_index: int) -> VersionPublic:
    """Apply a brand-voice flag's mechanical fix to the current version, as a new version (editors).

    The flag is read from the stored scores of version `number`, which must be the current one: a fix for an
    older text would silently undo the edits made since.
    """
    require_editor(ctx)
    iid = parse_item_id(item_id)
    async with get_database().tenant(ctx.scope) as session:
        item = require_item(await repository.get_item(session, ctx.scope, item_id=iid))
        version = await repository.get_version(session, ctx.scope, item_id=iid, number=number)
    if version is None:
        raise NotFound(VERSION_NOT_FOUND, code="version_not_found")
    if version.number != item.current_version:
        raise Conflict(
            f"Version {number} is no longer the current one (version {item.current_version} is).",
            code="version_superseded",
        )
    flags = (version.scores.get("brand_voice") or {}).get("flags") or []
    if not 0 <= flag_index < len(flags) or not flags[flag_index].get("apply"):
        raise ValidationFailed("That flag has no fix that can be applied automatically.", code="fix_not_applicable")
    flag = flags[flag_index]
    body = scoring.apply_edit(version.body, flag["apply"])
    if body == version.body:
        raise Conflict("The fix changes nothing in this text.", code="fix_not_applicable")
    return await add_version(ctx, iid, VersionCreate(body=body, note=f"Applied fix: {flag['fix']}"[:500]))


async def list_items(
    ctx: SpaceContext,
    *,
    states: Iterable[str] = (),
    content_type: str | None = None,
    search: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[ContentSummary], int]:
    """The space's items, most recently changed first, optionally filtered by states, type and title."""
    wanted = [s for s in states if s]
    unknown = [s for s in wanted if s not in review.STATES]
    if unknown:
        raise ValidationFailed(f"Unknown state: {unknown[0]}.", code="invalid_state")
    if content_type and content_type not in CONTENT_TYPES:
        raise ValidationFailed(f"Unknown content type: {content_type}.", code="invalid_type")
    async with get_database().tenant(ctx.scope) as session:
        rows, total = await repository.list_items(
            session,
            ctx.scope,
            states=wanted,
            content_type=content_type or None,
            search=(search or "").strip()[:200] or None,
            limit=max(1, min(limit, 1000)),
            offset=max(0, offset),
        )
    return [_summary(item, version) for item, version in rows], total


async def get_item(ctx: SpaceContext, item_id: Any) -> ContentPublic:
    """The item with its versions, its review history and its comments."""
    iid = parse_item_id(item_id)
    async with get_database().tenant(ctx.scope) as session:
        item = require_item(await repository.get_item(session, ctx.scope, item_id=iid))
        versions = await repository.list_versions(session, ctx.scope, item_id=iid)
        transitions = await repository.list_transitions(session, ctx.scope, item_id=iid)
        comments = await repository.list_comments(session, ctx.scope, item_id=iid)
        names = await repository.emails(
            session,
            user_ids=[t.actor_id for t in transitions]
            + [c.author_id for c in comments]
            + [v.created_by for v in versions],
        )
    return ContentPublic(
        id=item.id,
        title=item.title,
        type=item.type,  # type: ignore[arg-type]
        state=item.state,  # type: ignore[arg-type]
        current_version=item.current_version,
        run_id=item.run_id,
        created_by=item.created_by,
        created_at=item.created_at,
        updated_at=item.updated_at,
        published_url=item.published_url,
        published_at=item.published_at,
        allowed_actions=review.allowed_actions(item.state),
        versions=[_version_summary(v, names) for v in versions],
        transitions=[_transition_public(t, names) for t in transitions],
        comments=[_comment_public(c, names) for c in comments],
    )


async def get_summary(ctx: SpaceContext, item_id: Any) -> ContentSummary:
    """The item's title, type, state and current version, without its versions, history and comments."""
    iid = parse_item_id(item_id)
    async with get_database().tenant(ctx.scope) as session:
        item = require_item(await repository.get_item(session, ctx.scope, item_id=iid))
        version = await repository.get_version(session, ctx.scope, item_id=iid, number=item.current_version)
    return _summary(item, version)


def _number(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound(VERSION_NOT_FOUND, code="version_not_found") from None
    if number < 1:
        raise NotFound(VERSION_NOT_FOUND, code="version_not_found")
    return number


async def get_version(ctx: SpaceContext, item_id: Any, number: Any) -> VersionPublic:
    """One version with its text and stored scores."""
    iid, n = parse_item_id(item_id), _number(number)
    async with get_database().tenant(ctx.scope) as session:
        require_item(await repository.get_item(session, ctx.scope, item_id=iid))
        version = await repository.get_version(session, ctx.scope, item_id=iid, number=n)
    if version is None:
        raise NotFound(VERSION_NOT_FOUND, code="version_not_found")
    return _version_public(version)


async def transition(
    ctx: SpaceContext,
    item_id: Any,
    data: TransitionCreate,
    *,
    expected_hash: str | None = None,
    actor_label: str | None = None,
) -> ContentPublic:
    """Move the item through review (editors) and answer the item as it now is; the refusals of `decide`."""
    await decide(ctx, item_id, data, expected_hash=expected_hash, actor_label=actor_label)
    return await get_item(ctx, parse_item_id(item_id))


async def decide(
    ctx: SpaceContext,
    item_id: Any,
    data: TransitionCreate,
    *,
    expected_hash: str | None = None,
    actor_label: str | None = None,
) -> str:
    """Move the item through review (editors); answers its new state. 409 when the state does not allow the
    action, when the version named (by number, or by `expected_hash` from a Slack message) is not the current
    one, and when the space requires supported claims and the version has unsupported ones without a written
    override. Slack's clicks call this directly: they answer Slack within its three seconds and never show the
    whole item (its versions, history and comments: a transaction of its own)."""
    require_editor(ctx)
    iid = parse_item_id(item_id)
    note = (data.note or "").strip() or None
    if data.action == "request_changes" and not note:
        raise ValidationFailed("Say what should change (a note is required).", code="note_required")
    if data.override and not note:
        raise ValidationFailed("An override needs a written reason in the note.", code="override_reason_required")
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        item = require_item(await repository.get_item(session, ctx.scope, item_id=iid, lock=True))
        to_state = review.next_state(item.state, data.action)
        if to_state is None:
            raise Conflict(
                f"{review.ACTION_LABELS[data.action]} is not possible while the item is "
                f"{review.LABELS[item.state].lower()}.",
                code="transition_not_allowed",
            )
        version = await repository.get_version(session, ctx.scope, item_id=iid, number=item.current_version)
        if version is None:
            raise Conflict("The item has no version to review.", code="no_version")
        stale = (data.version is not None and data.version != version.number) or (
            expected_hash is not None and expected_hash != version.content_hash
        )
        if stale:
            raise Conflict(
                f"That version has been superseded: version {version.number} is the current one.",
                code="version_superseded",
            )
        override = False
        if data.action == "approve" and (version.unsupported_claims or 0) > 0:
            settings = await repository.get_settings(session, ctx.scope)
            if settings is not None and settings.require_supported_claims:
                if not data.override:
                    raise Conflict(
                        f"{version.unsupported_claims} claim(s) are unsupported and this space requires every "
                        "claim to be supported before approval. Fix them, or approve with a written override.",
                        code="unsupported_claims",
                    )
                override = True
        transition = await repository.add_transition(
            session,
            ctx.scope,
            item=item,
            action=data.action,
            to_state=to_state,
            version=version,
            actor_id=ctx.user_id,
            actor_label=actor_label,
            note=note,
            override=override,
        )
        if to_state == "published":
            # The first publication is when the page went live: its GA4 figures count from then, even
            # after the item is revised and published again.
            item.published_at = item.published_at or transition.created_at
            if data.url:
                item.published_url = data.url
            session.add(item)
    return to_state


async def add_comment(ctx: SpaceContext, item_id: Any, data: CommentCreate) -> CommentPublic:
    """A comment on the item, optionally on one of its versions (editors)."""
    require_editor(ctx)
    iid, body = parse_item_id(item_id), data.body.strip()
    if not body:
        raise ValidationFailed("The comment is empty.", code="empty_comment")
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        item = require_item(await repository.get_item(session, ctx.scope, item_id=iid))
        if data.version is not None and not 1 <= data.version <= item.current_version:
            raise NotFound(VERSION_NOT_FOUND, code="version_not_found")
        row = await repository.add_comment(
            session, ctx.scope, item_id=iid, body=body, version=data.version, author_id=ctx.user_id
        )
        names = await repository.emails(session, user_ids=[ctx.user_id])
    return _comment_public(row, names)


async def get_review_settings(ctx: SpaceContext) -> ContentSettingsPublic:
    async with get_database().tenant(ctx.scope) as session:
        row = await repository.get_settings(session, ctx.scope)
    return ContentSettingsPublic(require_supported_claims=bool(row and row.require_supported_claims))


async def set_review_settings(ctx: SpaceContext, *, require_supported_claims: bool) -> ContentSettingsPublic:
    """Change the space's review policy (space admins)."""
    if not ctx.is_admin:
        raise Forbidden("Only space admins can change the review settings.", code="space_admin_required")
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        row = await repository.set_settings(
            session, ctx.scope, require_supported_claims=require_supported_claims, user_id=ctx.user_id
        )
        return ContentSettingsPublic(require_supported_claims=row.require_supported_claims)


async def audit_pack(ctx: SpaceContext, item_id: Any) -> dict[str, Any]:
    """Every version with its scores and sources, who sent it for review, who approved which version, and
    which model and prompt version generated it (a version saved from a run without a named model takes the
    model that run's main calls used, from its usage records)."""
    iid = parse_item_id(item_id)
    item = await get_item(ctx, iid)
    async with get_database().tenant(ctx.scope) as session:
        rows = await repository.list_versions(session, ctx.scope, item_id=iid)
        run_ids = {v.run_id for v in rows if v.run_id and not v.model}
        models = await repository.run_models(session, ctx.scope, run_ids=run_ids)
    versions = []
    for row in rows:
        public = _version_public(row)
        if not public.model and row.run_id in models:
            public.model = models[row.run_id]
        versions.append(public)
    return audit.build_pack(item, versions, datetime.now(UTC).isoformat())


async def diff_versions(ctx: SpaceContext, item_id: Any, old: Any, new: Any) -> list[diff.DiffSegment]:
    """The word-level changes from version `old` to version `new` of the item."""
    before, after = await get_version(ctx, item_id, old), await get_version(ctx, item_id, new)
    return diff.word_diff(before.body, after.body)


async def rule_proposals(ctx: SpaceContext) -> list[learning.RuleProposal]:
    """Word swaps reviewers made in several items, not yet a rule of the brand voice."""
    async with get_database().tenant(ctx.scope) as session:
        histories = await repository.version_histories(session, ctx.scope, items=HISTORY_ITEMS)
    known = [rule.term for rule in term_rules(ctx.brand_voice or {}, [])]
    return learning.propose_rules(((str(i), texts) for i, texts in histories), known=known)


async def accept_rule(ctx: SpaceContext, find: str, replace: str) -> dict[str, Any]:
    """Make a proposed swap a preferred term of the space's voice (space admins); answers the new voice."""
    if not ctx.is_admin:
        raise Forbidden("Only space admins can change the space's brand voice.", code="space_admin_required")
    proposal = next(
        (p for p in await rule_proposals(ctx) if (p.find, p.replace) == (find.strip().lower(), replace.strip())),
        None,
    )
    if proposal is None:
        raise NotFound("No such proposed rule (it may have been accepted already).", code="rule_not_found")
    voices = await brand_voice.get_brand_voice(ctx)
    space = dict(voices["space"])
    preferred = list(voices["effective"].get("preferred_terms") or [])
    space["preferred_terms"] = [*preferred, proposal.rule]
    return await brand_voice.set_space_brand_voice(ctx, space, documents=documents_service.ready_document_ids)


__all__ = [
    "accept_rule",
    "add_comment",
    "add_version",
    "apply_fix",
    "audit_pack",
    "calibration",
    "compute_scores",
    "content_hash",
    "create_item",
    "decide",
    "diff_versions",
    "get_item",
    "get_review_settings",
    "get_summary",
    "get_version",
    "list_items",
    "parse_item_id",
    "require_editor",
    "require_item",
    "rule_proposals",
    "set_review_settings",
    "transition",
]
