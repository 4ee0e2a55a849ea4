"""Reviews in Slack: post a content version for review, decide it from Slack, revise it from notes, remind.

What the UI and the API call (`send_for_review`) and what the interaction handler and the jobs call. Every
decision goes through the content domain's one transition table (`content.service.transition`) with the
version's hash pinned, so Slack can only approve the exact text its message shows, and a second click finds
the item already decided (a 409 from the table) instead of moving it twice.

Slack users are not Obelisk users. A decision taken in Slack acts through the context of the member who sent
the item for review (read fresh from the database: someone removed from the space since cannot be acted for)
and is labelled with the Slack user, so the item's history says who clicked.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from backend.agents import service as agents
from backend.agents.runner import run_turn
from backend.agents.schemas import ConversationCreate
from backend.content import service as content
from backend.content.schemas import TransitionCreate, VersionCreate
from backend.core.config import get_settings
from backend.core.db import TenantScope, get_database
from backend.core.errors import AppError, Conflict, Forbidden, ServiceUnavailable
from backend.slack import blocks, repository
from backend.slack.client import SlackApiError, slack_error_code
from backend.slack.connection import Credentials, load_credentials
from backend.slack.models import SlackReview
from backend.slack.schemas import SlackReviewPosted
from backend.tenancy.access import member_context
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)

NOT_CONNECTED = "Connect Slack to this space first (Integrations)."
REVIEWABLE = ("draft", "changes_requested", "in_review")
_AGENT_FOR_TYPE = {"email": "email", "blog_post": "seo", "landing_page": "seo", "social_post": "brand", "ad": "brand"}


def item_link(item_id: uuid.UUID) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/content/{item_id}"


def _card(scope: TenantScope, item: Any, version: Any) -> blocks.ReviewCard:
    ref = blocks.ReviewRef(scope.organization_id, scope.space_id, item.id, version.number, version.hash)
    return blocks.ReviewCard(
        ref=ref,
        title=item.title,
        kind=item.type,
        body=version.body,
        voice_score=version.voice_score,
        unsupported_claims=_unsupported(version),
        link=item_link(item.id),
    )


def _unsupported(version: Any) -> int | None:
    claims = ((version.scores or {}).get("grounding") or {}).get("claims")
    if not isinstance(claims, list):
        return None
    return sum(1 for claim in claims if isinstance(claim, dict) and not claim.get("supported"))


async def card_for(ctx: SpaceContext, item_id: uuid.UUID, number: int) -> blocks.ReviewCard:
    item = await content.get_item(ctx, item_id)
    version = await content.get_version(ctx, item_id, number)
    return _card(ctx.scope, item, version)


async def credentials(scope: TenantScope) -> Credentials | None:
    async with get_database().tenant(scope) as session:
        return await load_credentials(session, scope)


def _slack_failed(exc: SlackApiError) -> AppError:
    code = slack_error_code(exc)
    if code in ("unreachable", "ratelimited"):
        return ServiceUnavailable("Slack could not be reached; try again in a moment.", code="slack_unreachable")
    return Conflict(f"Slack refused the message ({code}). Check the connection and channel.", code="slack_refused")


async def send_for_review(ctx: SpaceContext, item_id: Any) -> SlackReviewPosted:
    """Post the item's current version in the space's review channel, with Approve / Request changes buttons.

    A draft (or an item with changes requested) is submitted for review once the message is posted. Sending the
    same version again while its message is still waiting answers that message instead of posting a second one.
    """
    if not ctx.can_edit:
        raise Forbidden("Your role in this space is read-only.", code="editor_required")
    item = await content.get_item(ctx, item_id)  # 404 for another space's item
    if item.state not in REVIEWABLE:
        raise Conflict(f"The item is {item.state.replace('_', ' ')}; only drafts go to review.", code="not_reviewable")
    creds = await credentials(ctx.scope)
    if creds is None:
        raise Conflict(NOT_CONNECTED, code="slack_not_connected")
    if not creds.channel:
        raise Conflict("Pick the review channel on the Slack page first.", code="slack_no_channel")
    version = await content.get_version(ctx, item.id, item.current_version)
    async with get_database().tenant(ctx.scope) as session:
        for review in await repository.item_reviews(session, ctx.scope, item_id=item.id):
            if review.status == "pending" and review.version_hash == version.hash:
                return SlackReviewPosted(channel=review.channel, ts=review.ts)
    card = _card(ctx.scope, item, version)
    try:
        reply = await creds.client().post_message(
            channel=creds.channel,
            text=blocks.message_text(card),
            blocks=blocks.review_message(card),
            metadata=blocks.metadata(card.ref),
        )
    except SlackApiError as exc:
        raise _slack_failed(exc) from None
    channel, ts = str(reply["channel"]), str(reply["ts"])
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        await _add_review(session, ctx.scope, card.ref, channel=channel, ts=ts, sent_by=ctx.user_id)
    if item.state != "in_review":
        await content.transition(ctx, item.id, TransitionCreate(action="submit"), expected_hash=version.hash)
    return SlackReviewPosted(channel=channel, ts=ts)


async def _add_review(
    session: Any, scope: TenantScope, ref: blocks.ReviewRef, *, channel: str, ts: str, sent_by: uuid.UUID | None
) -> SlackReview:
    return await repository.add_review(
        session,
        scope,
        fields={
            "content_item_id": ref.item_id,
            "version_number": ref.version,
            "version_hash": ref.hash,
            "channel": channel,
            "ts": ts,
            "sent_by": sent_by,
        },
    )


async def acting_context(scope: TenantScope, review: SlackReview) -> SpaceContext | None:
    """The member the review acts for (who sent it), read fresh; None when they left or cannot edit."""
    if review.sent_by is None:
        return None
    ctx = await member_context(scope, review.sent_by)
    return ctx if ctx is not None and ctx.can_edit else None


async def mark(scope: TenantScope, review_id: uuid.UUID, *, expect: tuple[str, ...], **values: Any) -> bool:
    """Set `values` on the review when its status is one of `expect`; False when it was not (already decided)."""
    async with get_database().tenant(scope) as session:
        result: Any = await session.execute(
            update(SlackReview)
            .where(
                col(SlackReview.id) == review_id,
                col(SlackReview.space_id) == scope.space_id,
                col(SlackReview.status).in_(expect),
            )
            .values(**values)
        )
        return bool(result.rowcount)


# --- revision from notes (a job) ----------------------------------------------------------------------------


def revision_prompt(kind: str, title: str, body: str, notes: str) -> str:
    return (
        f"Revise this {kind.replace('_', ' ')} titled {title!r} as the reviewer asks. Keep what the notes do not "
        "ask to change, follow the brand voice, and answer with the full revised text only.\n\n"
        f"Reviewer's notes:\n{notes}\n\nCurrent text:\n{body}"
    )


async def revise_from_notes(scope: TenantScope, review_id: uuid.UUID, **turn_options: Any) -> int | None:
    """Ask the item's agent for a revised version from the review's notes, save it as a new version, post it in
    the original message's thread for review, and update the original message. Returns the new version's number.

    Idempotent: only a review in `changes_requested` is revised, and it is marked `revised` at the end, so a
    retried job for a finished revision does nothing. `turn_options` go to `run_turn` (tests pass models).
    """
    async with get_database().tenant(scope) as session:
        review = await repository.get_review(session, scope, review_id=review_id)
        creds = await load_credentials(session, scope)
    if review is None or review.status != "changes_requested" or creds is None:
        return None
    ctx = await acting_context(scope, review)
    if ctx is None:
        await _revision_failed(scope, review, creds, "the member who sent this for review can no longer edit it")
        return None
    item = await content.get_item(ctx, review.content_item_id)
    version = await content.get_version(ctx, item.id, review.version_number)
    agent = _AGENT_FOR_TYPE.get(item.type, "brand")
    conversation = await agents.create_conversation(
        ctx,
        ConversationCreate(agent=agent, title=f"Revision of {item.title}"[:200]),  # type: ignore[arg-type]
    )
    outcome = await run_turn(
        ctx,
        conversation.id,
        revision_prompt(item.type, item.title, version.body, review.notes or ""),
        emit=lambda kind, payload: None,
        **turn_options,
    )
    text = outcome.message.strip()
    if outcome.stop_reason != "completed" or not text:
        await _revision_failed(scope, review, creds, f"the agent stopped ({outcome.stop_reason})")
        return None
    new = await content.add_version(
        ctx,
        item.id,
        VersionCreate(
            body=text,
            note="Revised from Slack review notes",
            model=outcome.model,
            prompt_version=outcome.prompt_version,
        ),
    )
    current = await content.get_item(ctx, item.id)
    if current.state == "changes_requested":
        await content.transition(
            ctx, item.id, TransitionCreate(action="submit"), expected_hash=new.hash, actor_label="Slack revision"
        )
    card = _card(scope, current, new)
    client = creds.client()
    reply = await client.post_message(
        channel=review.channel,
        thread_ts=review.ts,
        text=f"Revised: {item.title} (version {new.number})",
        blocks=blocks.revision_message(card, review.notes or ""),
        metadata=blocks.metadata(card.ref),
    )
    async with get_database().tenant(scope) as session:
        await _add_review(
            session, scope, card.ref, channel=str(reply["channel"]), ts=str(reply["ts"]), sent_by=review.sent_by
        )
    await mark(scope, review.id, expect=("changes_requested",), status="revised", revised_version_number=new.number)
    old = _card(scope, current, version)
    who = f"<@{review.decided_by_slack_user}>" if review.decided_by_slack_user else "a reviewer"
    await client.update_message(
        channel=review.channel,
        ts=review.ts,
        text=f"Changes requested: {item.title}",
        blocks=blocks.decided_message(
            old, f"Changes requested by {who}. Revised as version {new.number}: see the thread."
        ),
        metadata=blocks.metadata(old.ref),
    )
    return new.number


async def _revision_failed(scope: TenantScope, review: SlackReview, creds: Credentials, reason: str) -> None:
    await mark(scope, review.id, expect=("changes_requested",), revision_error=reason[:500])
    try:
        await creds.client().post_message(
            channel=review.channel, thread_ts=review.ts, text=f"No revision could be made: {reason}."
        )
    except SlackApiError:
        logger.warning("could not report a failed revision in Slack", extra={"review_id": str(review.id)})


# --- reminders (a periodic job) -----------------------------------------------------------------------------


async def remind_waiting_reviews(*, now: datetime | None = None) -> int:
    """Post a reminder in the thread of every review waiting longer than SLACK_REVIEW_REMINDER_MINUTES (at most
    once per that period); how many were reminded."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(minutes=get_settings().slack_review_reminder_minutes)
    database = get_database()
    async with database.session() as session:
        scopes = await repository.spaces_due(session, cutoff=cutoff)
    count = 0
    for scope in scopes:
        async with database.tenant(scope) as session:
            creds = await load_credentials(session, scope)
            due = await repository.reviews_due(session, scope, cutoff=cutoff)
            if creds is None:
                continue
            for review in due:
                waited = int((now - review.created_at).total_seconds() // 60)
                try:
                    await creds.client().post_message(
                        channel=review.channel,
                        thread_ts=review.ts,
                        text=f"Reminder: this review has been waiting for {_duration(waited)}.",
                    )
                except SlackApiError as exc:
                    logger.warning("reminder not posted", extra={"error": slack_error_code(exc)})
                    continue
                review.reminded_at = now
                count += 1
    return count


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


__all__ = [
    "NOT_CONNECTED",
    "acting_context",
    "card_for",
    "credentials",
    "item_link",
    "mark",
    "remind_waiting_reviews",
    "revise_from_notes",
    "revision_prompt",
    "send_for_review",
]
