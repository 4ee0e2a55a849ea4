"""The Chat page's history: what the database holds of a conversation, as rows (the state keeps only a window)."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.agents import service as agents
from backend.runs import service as runs
from backend.tenancy.context import SpaceContext
from obelisk_app.pages.chat_rows import ACTIVE, CitationRow, MessageRow, message_row, run_rows


async def history_rows(ctx: SpaceContext, cid: str, active: str, window: int) -> tuple[list[MessageRow], bool]:
    """The newest `window` messages and whether there are more: the checkpoints' turns, plus the runs they do
    not hold (stopped before they started, cut short, interrupted); the active run is left out (shown live)."""
    held = await agents.messages(ctx, cid)
    timed = [(m.created_at, message_row(m, i)) for i, m in enumerate(held) if not active or m.run_id != active]
    answered = {m.run_id for m in held if m.role == "assistant" and m.run_id}
    for run in await runs.list_runs(ctx, cid, limit=20):
        rid = str(run.id)
        if rid == active or rid in answered or run.status in ACTIVE:
            continue
        last = await runs.list_events(ctx, run.id, after=max(0, run.last_sequence - 1))
        final = last[-1].payload if last and last[-1].type == "complete" else None
        timed = [t for t in timed if t[1]["run_id"] != rid] + [(run.created_at, r) for r in run_rows(run, final)]
    epoch = datetime.min.replace(tzinfo=UTC)
    rows = [row for _, row in sorted(timed, key=lambda t: t[0] or epoch)]  # stable: a turn keeps its order
    return rows[-window:], len(rows) > window


def last_citations(rows: list[MessageRow]) -> list[CitationRow]:
    """The citations of the newest answer (the panel beside the conversation)."""
    return next((r["citations"] for r in reversed(rows) if r["role"] == "assistant"), [])


__all__ = ["history_rows", "last_citations"]
