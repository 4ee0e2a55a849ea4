"""Slack interactions: `POST /integrations/slack/interactions`, authenticated by Slack's signature alone.

Order of checks, each before anything is trusted further:
  1. the timestamp is within five minutes (no database work for a stale or replayed-late request);
  2. the payload names a space (message metadata, else the button's value, else the modal's private
     metadata); that only chooses whose signing secret to check with: no connection there → 401;
  3. the `v0` signature over the raw body verifies under that space's secret (constant-time) and the payload's
     team is the connected team → else 401, the same answer as for an unknown space;
  4. the exact request was not seen before (a replay within the window is refused, a Slack retry answered
     without acting);
  5. the review message (channel + ts) is a review of this space, showing this item and this version.
Then the action runs through the content domain's transition table with the version's hash pinned.

Slack wants an answer within three seconds: decisions are a few fast queries; Slack Web API calls (updating the
message, replying to the clicker, opening the modal) run after the answer is sent (`followups`), and the slow
work (the agent's revision) is a job on the queue.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from backend.content import service as content
from backend.content.schemas import TransitionCreate
from backend.core.cache import get_security_cache
from backend.core.db import TenantScope, get_database
from backend.core.errors import AppError, BadRequest, Conflict, NotFound, Unauthorized
from backend.slack import blocks, repository, signing
from backend.slack import service as reviews
from backend.slack.client import SlackApiError, slack_error_code
from backend.slack.connection import Credentials, load_credentials
from backend.slack.models import SlackReview
from backend.slack.tasks import defer_revision

logger = logging.getLogger(__name__)

UNVERIFIED = "This request is not a verified Slack request for a connected space."
REPLAY_TTL_SECONDS = 2 * signing.MAX_SKEW_SECONDS + 60

Followup = Callable[[], Awaitable[None]]


@dataclass
class Outcome:
    """The HTTP answer for Slack, and the Web API calls to make once it is sent."""

    body: dict[str, Any] = field(default_factory=dict)
    followups: list[Followup] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Interaction:
    """A verified interaction: who clicked, where, and the review reference it carries."""

    scope: TenantScope
    creds: Credentials
    payload: dict[str, Any]
    ref: blocks.ReviewRef
    user_id: str
    user_name: str

    @property
    def actor_label(self) -> str:
        return f"Slack: {self.user_name} ({self.user_id})"


def _payload(body: bytes) -> dict[str, Any]:
    try:
        form = parse_qs(body.decode(), strict_parsing=False)
        payload = json.loads(form["payload"][0])
    except (UnicodeDecodeError, KeyError, IndexError, ValueError):
        raise BadRequest(
            "Expected a form with a JSON `payload` field, as Slack sends.", code="slack_bad_payload"
        ) from None
    if not isinstance(payload, dict):
        raise BadRequest("The `payload` field is not a JSON object.", code="slack_bad_payload")
    return payload


def _obj(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one: a payload is read before it is verified, so no
    field's shape is trusted (a string where Slack sends an object must be a 400/401, never a 500)."""
    return value if isinstance(value, dict) else {}


def _first_action(payload: dict[str, Any]) -> dict[str, Any]:
    actions = payload.get("actions")
    return _obj(actions[0]) if isinstance(actions, list) and actions else {}


def _json_obj(text: Any) -> dict[str, Any]:
    try:
        return _obj(json.loads(text)) if isinstance(text, str) else {}
    except ValueError:
        return {}


def _private_metadata(payload: dict[str, Any]) -> dict[str, Any]:
    return _json_obj(_obj(payload.get("view")).get("private_metadata"))


def _reference(payload: dict[str, Any]) -> blocks.ReviewRef | None:
    """The review reference the payload carries; None when absent, malformed or inconsistent."""
    if payload.get("type") == "view_submission":
        return blocks.ReviewRef.from_dict(_private_metadata(payload).get("ref"))
    meta = _obj(_obj(payload.get("message")).get("metadata"))
    from_meta = (
        blocks.ReviewRef.from_dict(meta.get("event_payload"))
        if meta.get("event_type") == blocks.METADATA_EVENT
        else None
    )
    value = _json_obj(_first_action(payload).get("value"))
    from_button = blocks.ReviewRef.from_dict(value) if value else None
    if from_meta and from_button and from_meta != from_button:
        return None
    return from_meta or from_button


def _message_at(payload: dict[str, Any]) -> tuple[str, str]:
    """The channel and ts of the message clicked (or, for a modal, the message it was opened from)."""
    if payload.get("type") == "view_submission":
        meta = _private_metadata(payload)
        return str(meta.get("channel") or ""), str(meta.get("ts") or "")
    container = _obj(payload.get("container"))
    channel = container.get("channel_id") or _obj(payload.get("channel")).get("id") or ""
    ts = container.get("message_ts") or _obj(payload.get("message")).get("ts") or ""
    return str(channel), str(ts)


def _signed_by(creds: Credentials, body: bytes, *, timestamp: str | None, sent: str | None, team: str) -> bool:
    """The body carries a valid signature under the space's secret, from the connected Slack team."""
    try:
        signing.verify(creds.signing_secret, timestamp=timestamp, body=body, sent=sent)
    except signing.SignatureError:
        return False
    return not creds.team_id or team == creds.team_id


async def verify(body: bytes, *, timestamp: str | None, sent: str | None, retry: bool) -> Interaction | Outcome:
    """Steps 1-4 of the module docstring: a verified interaction, an Outcome for a Slack retry, or an error."""
    try:
        signing.check_timestamp(timestamp)
    except signing.SignatureError as exc:
        raise Unauthorized(f"{UNVERIFIED} ({exc})", code="slack_signature_invalid") from None
    payload = _payload(body)
    ref = _reference(payload)
    if ref is None:
        raise BadRequest("The interaction does not name an Obelisk review.", code="slack_unknown_message")
    scope = TenantScope(organization_id=ref.organization_id, space_id=ref.space_id)
    async with get_database().tenant(scope) as session:
        creds = await load_credentials(session, scope)
    team = str(_obj(payload.get("team")).get("id") or "")
    if creds is None or not _signed_by(creds, body, timestamp=timestamp, sent=sent, team=team):
        raise Unauthorized(UNVERIFIED, code="slack_signature_invalid")
    seen = hashlib.sha256(f"{timestamp}:{sent}".encode()).hexdigest()
    if await get_security_cache().incr(f"slack:delivery:{scope.key()}:{seen}", REPLAY_TTL_SECONDS) > 1:
        if retry:
            return Outcome()
        raise Conflict("This Slack request was already handled.", code="slack_replay")
    user = _obj(payload.get("user"))
    return Interaction(
        scope=scope,
        creds=creds,
        payload=payload,
        ref=ref,
        user_id=str(user.get("id") or "unknown"),
        user_name=str(user.get("username") or user.get("name") or user.get("id") or "unknown")[:80],
    )


async def handle(body: bytes, *, timestamp: str | None, sent: str | None, retry: bool = False) -> Outcome:
    """Verify and act on one interaction."""
    verified = await verify(body, timestamp=timestamp, sent=sent, retry=retry)
    if isinstance(verified, Outcome):
        return verified
    it = verified
    kind = it.payload.get("type")
    if kind == "block_actions":
        action = _first_action(it.payload).get("action_id")
        if action == blocks.APPROVE:
            return await _approve(it)
        if action == blocks.REQUEST_CHANGES:
            return await _open_changes_modal(it)
        raise BadRequest(
            f"Unknown action {str(action)[:60]!r}; the message may be from an older version.",
            code="slack_unknown_action",
        )
    if kind == "view_submission" and _obj(it.payload.get("view")).get("callback_id") == blocks.CHANGES_MODAL:
        return await _submit_changes(it)
    raise BadRequest(f"Unknown interaction type {str(kind)[:60]!r}.", code="slack_unknown_action")


async def _review(it: Interaction) -> SlackReview:
    """Step 5: the review at the clicked message, in this space, for this item and version."""
    channel, ts = _message_at(it.payload)
    async with get_database().tenant(it.scope) as session:
        review = await repository.review_at(session, it.scope, channel=channel, ts=ts) if channel and ts else None
    if review is None or review.content_item_id != it.ref.item_id or review.version_hash != it.ref.hash:
        raise NotFound("This message is not a review of this space.", code="slack_review_not_found")
    return review


def _ephemeral(it: Interaction, review: SlackReview, text: str) -> Followup:
    async def send() -> None:
        try:
            await it.creds.client().post_ephemeral(channel=review.channel, user=it.user_id, text=text)
        except SlackApiError as exc:
            logger.warning("ephemeral reply not sent", extra={"error": slack_error_code(exc)})

    return send


def _update(it: Interaction, review: SlackReview, outcome: str) -> Followup:
    async def send() -> None:
        ctx = await reviews.acting_context(it.scope, review)
        if ctx is None:
            return
        card = await reviews.card_for(ctx, review.content_item_id, review.version_number)
        try:
            await it.creds.client().update_message(
                channel=review.channel,
                ts=review.ts,
                text=f"{card.title}: {outcome}",
                blocks=blocks.decided_message(card, outcome),
                metadata=blocks.metadata(card.ref),
            )
        except SlackApiError as exc:
            logger.warning("review message not updated", extra={"error": slack_error_code(exc)})

    return send


def _decided_text(review: SlackReview) -> str:
    who = f"<@{review.decided_by_slack_user}>" if review.decided_by_slack_user else "someone"
    label = {"approved": "approved", "superseded": "superseded by a newer version"}.get(
        review.status, "sent back with changes requested"
    )
    return f"This version was already {label}" + ("" if review.status == "superseded" else f" by {who}") + "."


async def _decide(it: Interaction, review: SlackReview, data: TransitionCreate) -> str | None:
    """Apply the transition for the review's version; None when done, else the reason it was refused."""
    ctx = await reviews.acting_context(it.scope, review)
    if ctx is None:
        return "The member who sent this for review can no longer edit in this space; send it again from Obelisk."
    try:
        await content.decide(
            ctx, review.content_item_id, data, expected_hash=review.version_hash, actor_label=it.actor_label
        )
    except AppError as exc:
        if exc.code == "version_superseded":
            await reviews.mark(it.scope, review.id, expect=("pending",), status="superseded")
        return exc.message
    return None


async def _approve(it: Interaction) -> Outcome:
    review = await _review(it)
    if review.status != "pending":
        return Outcome(followups=[_ephemeral(it, review, _decided_text(review))])
    refused = await _decide(it, review, TransitionCreate(action="approve", version=review.version_number))
    if refused is not None:
        return Outcome(followups=[_ephemeral(it, review, f"Not approved: {refused}")])
    decided = dict(
        status="approved",
        decided_by_slack_user=it.user_id,
        decided_by_slack_name=it.user_name,
        decided_at=datetime.now(UTC),
    )
    await reviews.mark(it.scope, review.id, expect=("pending",), **decided)
    return Outcome(followups=[_update(it, review, f"Approved by <@{it.user_id}> (version {review.version_number}).")])


async def _open_changes_modal(it: Interaction) -> Outcome:
    review = await _review(it)
    if review.status != "pending":
        return Outcome(followups=[_ephemeral(it, review, _decided_text(review))])
    title, refused = await _current(it, review)
    if refused is not None:
        return Outcome(followups=[_ephemeral(it, review, refused)])
    trigger = str(it.payload.get("trigger_id") or "")
    metadata = json.dumps({"ref": it.ref.to_dict(), "channel": review.channel, "ts": review.ts})

    async def open_modal() -> None:
        try:
            await it.creds.client().open_view(
                trigger_id=trigger, view=blocks.changes_modal(metadata, title=title[:150])
            )
        except SlackApiError as exc:
            logger.warning("changes modal not opened", extra={"error": slack_error_code(exc)})

    return Outcome(followups=[open_modal])


async def _current(it: Interaction, review: SlackReview) -> tuple[str, str | None]:
    """The item's title, and None when the review's version is still the current one, else why it is not."""
    ctx = await reviews.acting_context(it.scope, review)
    if ctx is None:
        return "", "The member who sent this for review can no longer edit in this space; send it again from Obelisk."
    item = await content.get_summary(ctx, review.content_item_id)
    if item.version != review.version_number:
        await reviews.mark(it.scope, review.id, expect=("pending",), status="superseded")
        return item.title, f"That version has been superseded: version {item.version} is the current one."
    return item.title, None


async def _submit_changes(it: Interaction) -> Outcome:
    values = _obj(_obj(_obj(it.payload.get("view")).get("state")).get("values"))
    notes = str(_obj(_obj(values.get(blocks.NOTES_BLOCK)).get(blocks.NOTES_ACTION)).get("value") or "").strip()
    if not notes:
        return Outcome(body={"response_action": "errors", "errors": {blocks.NOTES_BLOCK: "Say what should change."}})
    notes = notes[: blocks.MAX_NOTES]
    review = await _review(it)
    if review.status != "pending":
        return Outcome(body={"response_action": "errors", "errors": {blocks.NOTES_BLOCK: _decided_text(review)}})
    refused = await _decide(
        it, review, TransitionCreate(action="request_changes", version=review.version_number, note=notes)
    )
    if refused is not None:
        return Outcome(body={"response_action": "errors", "errors": {blocks.NOTES_BLOCK: refused}})
    decided = dict(
        status="changes_requested",
        notes=notes,
        decided_by_slack_user=it.user_id,
        decided_by_slack_name=it.user_name,
        decided_at=datetime.now(UTC),
    )
    if await reviews.mark(it.scope, review.id, expect=("pending",), **decided):
        await defer_revision(it.scope, review.id)
    outcome = f"Changes requested by <@{it.user_id}>: {notes[:300]}. A revised version is on its way in the thread."
    return Outcome(followups=[_update(it, review, outcome)])


__all__ = ["Interaction", "Outcome", "handle", "verify"]
