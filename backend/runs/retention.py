"""Retention of run events: after RUN_EVENTS_RETENTION_DAYS, a finished run's token events are folded.

While a run streams, its answer is stored as many small `token` events (see `coalesce`); once it is old
and finished, nobody follows it live any more, and those rows only cost space. `compact_runs` (hourly, see
`tasks`) folds every stretch of consecutive token events of such a run into as few token events as the size
cap allows (1,024 characters each: a 2,000-token answer becomes a handful of rows), keeping their place in
the log: the first sequences of the stretch keep the text, the rest are deleted. So a replay from 0, through
any door, still gives the whole answer, the steps and citations in their order, and the `complete` event
with its final message; only the token-by-token rhythm is gone (sequences then have holes, which
`Last-Event-ID` and `after` handle as they are: "everything after N"). Other events are never touched.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from backend.core.config import get_settings
from backend.core.db import TenantScope, get_database
from backend.runs import repository
from backend.runs.coalesce import MAX_TOKEN_CHARS
from backend.runs.events import RunEventPublic
from backend.runs.models import FINAL_STATUSES

logger = logging.getLogger(__name__)

BATCH = 200
"""Runs folded per sweep (the next sweep takes the next ones)."""


def fold(events: list[RunEventPublic], max_chars: int = MAX_TOKEN_CHARS) -> tuple[dict[int, str], list[int]]:
    """For each stretch of consecutive token events: the sequences that keep the stretch's text (cut at
    `max_chars`), with their new text, and the sequences to delete."""
    texts: dict[int, str] = {}
    drop: list[int] = []
    stretch: list[RunEventPublic] = []

    def close() -> None:
        if len(stretch) > 1:
            whole = "".join(str(e.payload.get("text") or "") for e in stretch)
            pieces = [whole[i : i + max_chars] for i in range(0, len(whole), max_chars)]
            for event, piece in zip(stretch, pieces, strict=False):
                texts[event.sequence] = piece
            drop.extend(e.sequence for e in stretch[len(pieces) :])
        stretch.clear()

    for event in events:
        if event.type == "token":
            stretch.append(event)
        else:
            close()
    close()
    return texts, drop


async def compact_run(scope: TenantScope, run_id: uuid.UUID, *, before: datetime) -> bool:
    """Fold the run's token events if it finished before `before` and is not folded yet; True if folded."""
    async with get_database().tenant(scope) as session:
        run = await repository.get_run(session, scope, run_id=run_id, lock=True)
        if (
            run is None
            or run.status not in FINAL_STATUSES
            or run.finished_at is None
            or run.finished_at >= before
            or run.events_compacted_at is not None
        ):
            return False
        texts, drop = fold(await repository.list_events(session, scope, run_id=run_id))
        await repository.fold_token_events(session, scope, run_id=run_id, texts=texts, drop=drop)
        run.events_compacted_at = datetime.now(UTC)
    return True


async def compact_runs(now: datetime | None = None) -> int:
    """Fold the token events of finished runs older than the retention period; how many runs were folded."""
    days = get_settings().run_events_retention_days
    if days <= 0:
        return 0
    before = (now or datetime.now(UTC)) - timedelta(days=days)
    async with get_database().session() as session:
        candidates = await repository.runs_to_compact(session, before=before, limit=BATCH)
    count = 0
    for scope, run_id in candidates:
        try:
            count += await compact_run(scope, run_id, before=before)
        except Exception:
            logger.exception("could not fold a run's events", extra={"run_id": str(run_id)})
    return count


__all__ = ["BATCH", "compact_run", "compact_runs", "fold"]
