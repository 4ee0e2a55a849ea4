"""Re-scanning a space's library when the injection detector changed.

Every chunk records the detector version of its verdict (`scan_version`). When a start finds chunks of
another version (an upgraded rule set or classifier), it queues one `documents.rescan` job per such space
(see `maintenance.spaces_to_rescan`); the job scans those chunks again, in batches, inside the space's own
transactions. A chunk the new detector clears leaves quarantine; a chunk it flags is quarantined, unless a
space admin released it before: a person's judgement on that text stands, and its evidence is updated.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass

from procrastinate.exceptions import AlreadyEnqueued

from backend.core.db import TenantScope, get_database
from backend.documents import repository
from backend.documents.models import DocumentChunk
from backend.documents.scanning import scan_chunk, verdict_columns
from backend.jobs import job_app
from backend.jobs.queue import fair_priority
from backend.safety.contamination import DETECTOR_VERSION, ContaminationResult

logger = logging.getLogger(__name__)

RESCAN_TASK = "documents.rescan"
BATCH = 200


@dataclass(frozen=True, slots=True)
class RescanResult:
    scanned: int = 0
    quarantined: int = 0
    cleared: int = 0


def _scan(rows: list[tuple[DocumentChunk, str]]) -> list[ContaminationResult]:
    return [scan_chunk(chunk.content, chunk.heading_path, title) for chunk, title in rows]


async def rescan_space(scope: TenantScope, *, version: str = DETECTOR_VERSION, batch: int = BATCH) -> RescanResult:
    """Scan again every chunk of the space whose verdict is not from `version`."""
    scanned = quarantined = cleared = 0
    after: uuid.UUID | None = None
    while True:
        async with get_database().tenant(scope) as session:
            rows = await repository.stale_chunks(session, scope, version=version, after=after, limit=batch)
            if not rows:
                break
            verdicts = await asyncio.to_thread(_scan, rows)
            for (chunk, _), verdict in zip(rows, verdicts, strict=True):
                values = verdict_columns(verdict)
                values["scan_version"] = version
                if chunk.released_by is not None:
                    values["quarantined"] = False  # released by an admin: their judgement stands
                quarantined += int(values["quarantined"] and not chunk.quarantined)
                cleared += int(chunk.quarantined and not values["quarantined"])
                await repository.set_chunk_verdict(session, scope, chunk_id=chunk.id, values=values)
            await repository.recount_quarantined(
                session, scope, document_ids=sorted({chunk.document_id for chunk, _ in rows})
            )
        scanned += len(rows)
        after = rows[-1][0].id
    if scanned:
        logger.info(
            "library re-scanned",
            extra={"chunks": scanned, "quarantined": quarantined, "cleared": cleared, "detector": version},
        )
    return RescanResult(scanned, quarantined, cleared)


async def defer_rescan(scope: TenantScope) -> None:
    """Queue the space's re-scan (once: a re-scan already waiting covers it)."""
    key = f"rescan:{scope.space_id}"
    try:
        await rescan_task.configure(
            queueing_lock=key, lock=key, priority=await fair_priority(RESCAN_TASK, str(scope.space_id))
        ).defer_async(organization_id=str(scope.organization_id), space_id=str(scope.space_id))
    except AlreadyEnqueued:
        logger.info("re-scan already queued", extra={"space_id": str(scope.space_id)})


@job_app.task(name=RESCAN_TASK, pass_context=False)
async def rescan_task(*, organization_id: str, space_id: str) -> int:
    scope = TenantScope(uuid.UUID(organization_id), uuid.UUID(space_id))
    return (await rescan_space(scope)).scanned


__all__ = ["RESCAN_TASK", "RescanResult", "defer_rescan", "rescan_space", "rescan_task"]
