"""Documents as the library and the document page show them: typed rows, and the functions that build them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from backend.documents.models import IN_FLIGHT, DocumentChunk

KIND_LABELS = {
    "pdf": "PDF",
    "docx": "Word",
    "pptx": "PowerPoint",
    "xlsx": "Excel",
    "csv": "CSV",
    "html": "Web page",
    "markdown": "Markdown",
    "txt": "Text",
}


class DocumentRow(TypedDict):
    """A document as the library table and the document page show it."""

    id: str
    title: str
    filename: str
    kind_label: str
    status: str
    progress: int
    in_flight: bool
    error: str
    stale: bool
    size: str
    pages_text: str
    chunk_count: int
    quarantined_count: int
    tags_text: str
    uploaded_by: str
    date: str


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def document_row(document: dict[str, Any]) -> DocumentRow:
    """The row of one document, from its public shape (`service.public_document`)."""
    return DocumentRow(
        id=document["id"],
        title=document["title"],
        filename=document["filename"],
        kind_label=KIND_LABELS.get(document["kind"], document["kind"]),
        status=document["status"],
        progress=int(document["progress"] or 0),
        in_flight=document["status"] in IN_FLIGHT,
        error=document["error"] or "",
        stale=bool(document["stale"]),
        size=human_size(int(document["size_bytes"] or 0)),
        pages_text=str(document["pages"]) if document["pages"] else "–",
        chunk_count=int(document["chunk_count"] or 0),
        quarantined_count=int(document["quarantined_count"] or 0),
        tags_text=", ".join(document["tags"]),
        uploaded_by=document["uploaded_by"] or "",
        date=datetime.fromisoformat(document["created_at"]).strftime("%Y-%m-%d %H:%M"),
    )


def empty_document_row() -> DocumentRow:
    """The row a page shows before its document is loaded."""
    return DocumentRow(
        id="",
        title="",
        filename="",
        kind_label="",
        status="",
        progress=0,
        in_flight=False,
        error="",
        stale=False,
        size="",
        pages_text="",
        chunk_count=0,
        quarantined_count=0,
        tags_text="",
        uploaded_by="",
        date="",
    )


class HeadingRow(TypedDict):
    text: str
    level: int
    indent: str
    page: str


class TableRow(TypedDict):
    rows: int
    columns: int
    where: str
    sheet: str
    page: str


class ImageRow(TypedDict):
    caption: str
    page: str


class ChunkRow(TypedDict):
    id: str
    index: int
    kind: str
    path: str
    page_text: str
    quarantined: bool
    reason: str
    evidence: str
    """The detector's evidence in one line: the span that decided, what an encoding hid, the confidence."""
    content: str


def _page(value: Any) -> str:
    return str(value) if value else ""


def heading_rows(structure: dict[str, Any]) -> list[HeadingRow]:
    return [
        HeadingRow(
            text=str(h.get("text") or ""),
            level=int(h.get("level") or 0),
            indent=f"{max(0, int(h.get('level') or 0)) * 1.0}rem",
            page=_page(h.get("page")),
        )
        for h in structure.get("headings", [])
    ]


def table_rows(structure: dict[str, Any]) -> list[TableRow]:
    return [
        TableRow(
            rows=int(t.get("rows") or 0),
            columns=int(t.get("columns") or 0),
            where=" › ".join(t.get("heading_path") or []) or "(top of document)",
            sheet=t.get("sheet") or "",
            page=_page(t.get("page")),
        )
        for t in structure.get("tables", [])
    ]


def image_rows(structure: dict[str, Any]) -> list[ImageRow]:
    return [
        ImageRow(caption=i.get("caption") or "(no caption)", page=_page(i.get("page")))
        for i in structure.get("images", [])
    ]


def chunk_row(chunk: DocumentChunk) -> ChunkRow:
    return ChunkRow(
        id=str(chunk.id),
        index=chunk.chunk_index,
        kind=chunk.kind,
        path=" › ".join(chunk.heading_path) or "(no heading)",
        page_text=str(chunk.page) if chunk.page is not None else "–",
        quarantined=bool(chunk.quarantined),
        reason=chunk.quarantine_reason or "",
        evidence=evidence_line(chunk.scan_evidence) if chunk.quarantined else "",
        content=chunk.content,
    )


def evidence_line(evidence: dict[str, Any] | None) -> str:
    if not evidence:
        return ""
    parts = []
    if evidence.get("span"):
        parts.append(f"flagged text: “{str(evidence['span'])[:200]}”")
    if evidence.get("decoded"):
        parts.append(f"decoded: “{str(evidence['decoded'])[:200]}”")
    if evidence.get("confidence") is not None:
        parts.append(f"confidence {float(evidence['confidence']):.0%}")
    return " · ".join(parts)
