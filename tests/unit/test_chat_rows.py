"""The Chat page's rows: one line per step, sources that link to their document, how an answer ended."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from backend.runs.events import RunEventPublic
from obelisk_app.pages.chat_rows import add_step, citation_row, step_row


def _event(sequence: int, kind: str, **payload: Any) -> RunEventPublic:
    return RunEventPublic(sequence=sequence, type=kind, payload=payload, created_at=datetime.now(UTC))  # type: ignore[arg-type]


def test_a_step_takes_one_line_its_end_replaces_its_start() -> None:
    steps: list[Any] = []
    for event in (
        _event(2, "step", name="retrieve", status="started", query="q"),
        _event(3, "step", name="retrieve", status="done", found=4, used=3, blocked=0),
        _event(4, "step", name="think", status="started"),
        _event(5, "step", name="think", status="done", action="use_tool", tool="keyword_research"),
        _event(6, "tool_call", tool="keyword_research", arguments={}),
        _event(7, "tool_result", tool="keyword_research", ok=False, error="GA4 not connected"),
        _event(8, "token", text="ignored here"),
        _event(9, "step", name="write", status="started"),
    ):
        row = step_row(event)
        if row is not None:
            steps = add_step(steps, row, limit=60)
    assert [s["text"] for s in steps] == [
        "Searching the space: 3 passages",
        "Deciding the next step: use tool: keyword_research",
        "Tool keyword_research called",
        "Tool keyword_research failed: GA4 not connected",
        "Writing: …",
    ]
    assert [s["ok"] for s in steps] == [True, True, True, False, True]
    assert len(add_step(steps, steps[0], limit=3)) == 3


def test_a_citation_links_to_its_document_or_its_web_page_only() -> None:
    cited = {"chunk_id": "c9", "document_id": "d1", "document_title": "Plan", "heading_path": ["A", "B"], "page": 2}
    document = citation_row(cited, 1)
    assert document == {"key": "S1", "title": "Plan", "where": "A › B · p. 2", "href": "/documents/d1#chunk-c9"}
    web = citation_row({"source_url": "https://example.com/x"}, 2)
    assert web["href"] == "https://example.com/x" and web["title"] == "https://example.com/x"
    script = citation_row({"source_url": "javascript:alert(1)", "document_title": "x"}, 3)
    assert script["href"] == ""
