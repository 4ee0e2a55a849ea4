"""Rows of the Chat page, built from what the services return (pure functions, no state, no I/O)."""

from __future__ import annotations

from typing import Any, TypedDict

from backend.agents.schemas import ConversationPublic, MessagePublic
from backend.runs.events import RunEventPublic
from backend.runs.schemas import RunPublic

AGENT_LABELS = {"seo": "SEO", "email": "Email", "brand": "Brand", "strategy": "Strategy"}
ACTIVE = ("queued", "running")
STOP_LABELS = {
    "completed": "",
    "max_iterations": "Stopped at the agent's step limit",
    "contaminated": "Blocked: the answer followed instructions hidden in a source",
    "error": "Stopped by an error",
    "cancelled": "Stopped on request",
    "interrupted": "Interrupted (the server stopped mid-answer)",
}
STEP_LABELS = {
    "retrieve": "Searching the space",
    "think": "Deciding the next step",
    "search_more": "Searching for more",
    "write": "Writing",
    "check": "Checking the answer",
}


class ConversationRow(TypedDict):
    id: str
    title: str
    agent: str
    agent_label: str
    messages: str


class CitationRow(TypedDict):
    key: str
    title: str
    where: str
    href: str


class MessageRow(TypedDict):
    key: str
    role: str
    content: str
    run_id: str
    stop_label: str
    citations: list[CitationRow]
    can_save: bool
    """An answer worth keeping: finished with text (not blocked, not an error)."""
    can_resume: bool


class StepRow(TypedDict):
    sequence: int
    kind: str
    text: str
    ok: bool
    name: str
    pending: bool
    """A step under way: its end replaces this line."""


class DocumentOption(TypedDict):
    id: str
    title: str


def conversation_row(c: ConversationPublic) -> ConversationRow:
    return ConversationRow(
        id=str(c.id), title=c.title, agent=c.agent, agent_label=AGENT_LABELS[c.agent], messages=str(c.message_count)
    )


def citation_row(c: dict[str, Any], index: int) -> CitationRow:
    """A cited source; it links to its document's page at the cited chunk (web sources link to their URL)."""
    heading = " › ".join(str(h) for h in c.get("heading_path") or [])
    page = f"p. {c['page']}" if c.get("page") else ""
    document_id = str(c.get("document_id") or "")
    url = str(c.get("source_url") or "")
    chunk = str(c.get("chunk_id") or "")
    anchor = f"#chunk-{chunk}" if chunk else ""
    href = (
        f"/documents/{document_id}{anchor}" if document_id else url if url.startswith(("http://", "https://")) else ""
    )
    return CitationRow(
        key=f"S{index}",
        title=str(c.get("document_title") or url or "Source"),
        where=" · ".join(p for p in (heading, page) if p),
        href=href,
    )


def citation_rows(citations: list[dict[str, Any]]) -> list[CitationRow]:
    return [citation_row(c, i) for i, c in enumerate(citations, start=1)]


UNSAVABLE = ("contaminated", "error", "interrupted")


def _savable(role: str, run_id: str, reason: str, content: str) -> bool:
    return role == "assistant" and bool(run_id) and reason not in UNSAVABLE and bool(content.strip())


def message_row(m: MessagePublic, index: int) -> MessageRow:
    return MessageRow(
        key=f"{m.run_id or 'm'}-{index}",
        role=m.role,
        content=m.content,
        run_id=m.run_id or "",
        stop_label=STOP_LABELS.get(m.stop_reason or "", "") if m.role == "assistant" else "",
        citations=citation_rows([c.model_dump() for c in m.citations]) if m.role == "assistant" else [],
        can_save=_savable(m.role, m.run_id or "", m.stop_reason or "", m.content),
        can_resume=False,
    )


def run_rows(run: RunPublic, final: dict[str, Any] | None) -> list[MessageRow]:
    """A run the conversation's checkpoints do not hold (stopped before it started, cut short, interrupted):
    its message and, when it ended, the answer its `complete` event carried."""
    rid = str(run.id)
    rows = [
        MessageRow(
            key=f"{rid}-q",
            role="user",
            content=run.message,
            run_id=rid,
            stop_label="",
            citations=[],
            can_save=False,
            can_resume=False,
        )
    ]
    if final is not None:
        reason = str(final.get("stop_reason") or run.stop_reason or "")
        rows.append(
            MessageRow(
                key=f"{rid}-a",
                role="assistant",
                content=str(final.get("message") or ""),
                run_id=rid,
                stop_label=STOP_LABELS.get(reason, reason),
                citations=citation_rows(list(final.get("citations") or [])),
                can_save=_savable("assistant", rid, reason, str(final.get("message") or "")),
                can_resume=run.status == "interrupted",
            )
        )
    return rows


def add_step(steps: list[StepRow], row: StepRow, limit: int) -> list[StepRow]:
    """The steps with `row`: a step's end replaces its "under way" line, so each step takes one line."""
    previous = steps[-1] if steps else None
    ends_previous = previous is not None and previous["pending"] and previous["name"] == row["name"]
    return [*(steps[:-1] if ends_previous else steps), row][-limit:]


def step_row(event: RunEventPublic) -> StepRow | None:
    """A compact line for a step, a tool call or its result (None for events shown elsewhere)."""
    p = event.payload
    if event.type == "step":
        name, status = str(p.get("name", "")), str(p.get("status", ""))
        label = STEP_LABELS.get(name, name.replace("_", " ").capitalize())
        detail = {"done": "done", "started": "…", "failed": "failed", "blocked": "blocked"}.get(status, status)
        if name == "retrieve" and status == "done":
            detail = f"{p.get('used', 0)} passages"
        if name == "think" and status == "done":
            detail = str(p.get("action", "")).replace("_", " ") + (
                f": {p['tool']}" if p.get("action") == "use_tool" else ""
            )
        return StepRow(
            sequence=event.sequence,
            kind="step",
            text=f"{label}: {detail}",
            ok=status not in ("failed", "blocked"),
            name=name,
            pending=status == "started",
        )
    if event.type == "tool_call":
        return StepRow(
            sequence=event.sequence,
            kind="tool",
            text=f"Tool {p.get('tool', '')} called",
            ok=True,
            name="",
            pending=False,
        )
    if event.type == "tool_result":
        ok = bool(p.get("ok"))
        error = f": {str(p.get('error') or '')[:120]}" if not ok and p.get("error") else ""
        return StepRow(
            sequence=event.sequence,
            kind="tool",
            text=f"Tool {p.get('tool', '')} {'answered' if ok else 'failed'}{error}",
            ok=ok,
            name="",
            pending=False,
        )
    if event.type == "error":
        return StepRow(
            sequence=event.sequence,
            kind="error",
            text=str(p.get("message", ""))[:300],
            ok=False,
            name="",
            pending=False,
        )
    return None


__all__ = [
    "ACTIVE",
    "AGENT_LABELS",
    "STOP_LABELS",
    "CitationRow",
    "ConversationRow",
    "DocumentOption",
    "MessageRow",
    "StepRow",
    "add_step",
    "citation_row",
    "citation_rows",
    "conversation_row",
    "message_row",
    "run_rows",
    "step_row",
]
