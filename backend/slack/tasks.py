"""Durable jobs of the Slack domain: the agent's revision from a reviewer's notes, and review reminders.

A revision job is locked per review (procrastinate `lock`) and queued at most once (`queueing_lock`); the work
itself is idempotent (see `service.revise_from_notes`), so a retry after a crash does not post twice.
"""

from __future__ import annotations

import logging
import uuid

from procrastinate.exceptions import AlreadyEnqueued

from backend.core.db import TenantScope
from backend.core.logging import correlation_id_var
from backend.jobs import job_app
from backend.jobs.queue import INTERACTIVE_QUEUE, fair_priority
from backend.slack.service import remind_waiting_reviews, revise_from_notes

logger = logging.getLogger(__name__)
REVISE_TASK = "slack.revise"


async def defer_revision(scope: TenantScope, review_id: uuid.UUID) -> None:
    """Queue the revision of a review whose changes were requested.

    A reviewer is waiting for it in Slack: it runs on the interactive queue (an agent turn, like a chat run),
    shared fairly between spaces, never behind a bulk import.
    """
    priority = await fair_priority(REVISE_TASK, str(scope.space_id))
    try:
        await revise_task.configure(
            lock=f"slack-review:{review_id}", queueing_lock=f"slack-review:{review_id}", priority=priority
        ).defer_async(
            review_id=str(review_id),
            organization_id=str(scope.organization_id),
            space_id=str(scope.space_id),
            correlation_id=correlation_id_var.get(),
        )
    except AlreadyEnqueued:
        logger.info("revision already queued", extra={"review_id": str(review_id)})


@job_app.task(name=REVISE_TASK, queue=INTERACTIVE_QUEUE, pass_context=False, retry=2)
async def revise_task(
    *, review_id: str, organization_id: str, space_id: str, correlation_id: str | None = None
) -> int | None:
    scope = TenantScope(uuid.UUID(organization_id), uuid.UUID(space_id))
    return await revise_from_notes(scope, uuid.UUID(review_id))


@job_app.periodic(cron="*/5 * * * *", periodic_id="slack-review-reminders")
@job_app.task(name="slack.remind", pass_context=False, queueing_lock="slack-remind")
async def remind_task(timestamp: int) -> int:
    """Every five minutes: remind the reviews that have waited longer than SLACK_REVIEW_REMINDER_MINUTES."""
    return await remind_waiting_reviews()


__all__ = ["defer_revision", "remind_task", "revise_task"]
