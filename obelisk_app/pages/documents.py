"""`/documents`: the space's library: drop files or add a page by URL, watch them get ready, find them again."""

from __future__ import annotations

import reflex as rx

from backend.documents.service import SUGGESTED_TAGS
from obelisk_app import routes, styles
from obelisk_app.components.confirm import confirm_icon_button
from obelisk_app.components.retrieval_panel import retrieval_panel
from obelisk_app.layout import template
from obelisk_app.pages.document_rows import DocumentRow
from obelisk_app.pages.documents_state import DocumentsState
from obelisk_app.pages.retrieval_state import RetrievalState
from obelisk_app.states import AuthState

UPLOAD_ID = "library_upload"
ACCEPT = {
    "application/pdf": [".pdf"],
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [".docx"],
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": [".pptx"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
    "text/csv": [".csv"],
    "text/html": [".html", ".htm"],
    "text/markdown": [".md", ".markdown"],
    "text/plain": [".txt"],
}
STATUS_COLORS = {"ready": "green", "failed": "red", "queued": "gray"}


def _status(doc: rx.Var[DocumentRow]) -> rx.Component:
    return rx.vstack(
        rx.badge(
            doc["status"],
            color_scheme=rx.match(doc["status"], ("ready", "green"), ("failed", "red"), ("queued", "gray"), "blue"),
            data_testid="document-status",
        ),
        rx.cond(doc["in_flight"], rx.progress(value=doc["progress"], width="7rem", size="1")),
        rx.cond(doc["error"] != "", rx.text(doc["error"], size="1", color=rx.color("red", 11), max_width="16rem")),
        spacing="1",
    )


def _actions(doc: rx.Var[DocumentRow]) -> rx.Component:
    return rx.cond(
        AuthState.current_role != "viewer",
        rx.hstack(
            rx.tooltip(
                rx.icon_button(
                    rx.icon("refresh-cw", size=14),
                    size="1",
                    variant="soft",
                    aria_label="Re-index",
                    on_click=DocumentsState.reindex(doc["id"]),
                    disabled=doc["in_flight"],
                ),
                content="Process again",
            ),
            confirm_icon_button(
                icon="trash-2",
                label="Delete document",
                title="Delete this document?",
                description=[doc["title"], ", its chunks and its file are removed for everyone."],
                confirm="Delete",
                on_confirm=DocumentsState.delete(doc["id"]),
            ),
            spacing="2",
        ),
    )


def _row(doc: rx.Var[DocumentRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.link(doc["title"], href="/documents/" + doc["id"], weight="medium", data_testid="document-title"),
                rx.text(doc["filename"], size="1", color=rx.color("gray", 10)),
                rx.cond(doc["stale"], rx.badge("past valid-until", color_scheme="orange", size="1")),
                spacing="0",
            )
        ),
        rx.table.cell(rx.badge(doc["kind_label"], variant="soft")),
        rx.table.cell(_status(doc)),
        rx.table.cell(doc["size"]),
        rx.table.cell(doc["pages_text"]),
        rx.table.cell(
            rx.hstack(
                rx.text(doc["chunk_count"].to_string(), data_testid="document-chunks"),
                rx.cond(
                    doc["quarantined_count"] > 0,
                    rx.tooltip(
                        rx.badge(doc["quarantined_count"].to_string(), " quarantined", color_scheme="red"),
                        content="Possible prompt injection: excluded from answers until an admin releases it",
                    ),
                ),
                spacing="1",
            )
        ),
        rx.table.cell(rx.text(doc["tags_text"], size="1")),
        rx.table.cell(
            rx.vstack(
                rx.text(doc["uploaded_by"], size="1"),
                rx.text(doc["date"], size="1", color=rx.color("gray", 10)),
                spacing="0",
            )
        ),
        rx.table.cell(_actions(doc)),
    )


def _add_panel() -> rx.Component:
    return rx.vstack(
        rx.upload.root(
            rx.vstack(
                rx.icon("upload", size=28, color=rx.color("accent", 10)),
                rx.text("Drop files here or click to choose", weight="medium"),
                rx.text(
                    "PDF, Word, PowerPoint, Excel, CSV, HTML, Markdown, text · up to 50 MB each",
                    size="1",
                    color=rx.color("gray", 10),
                ),
                align="center",
                spacing="1",
            ),
            id=UPLOAD_ID,
            multiple=True,
            accept=ACCEPT,
            on_drop=DocumentsState.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)),
            border=f"2px dashed {rx.color('accent', 7)}",
            border_radius="var(--radius-3)",
            padding="1.5rem",
            width="100%",
            cursor="pointer",
            data_testid="upload-zone",
        ),
        rx.hstack(
            rx.input(
                value=DocumentsState.upload_tags,
                on_change=DocumentsState.set_upload_tags,
                placeholder="Tags for new documents, comma separated",
                flex="1",
                data_testid="upload-tags",
            ),
            *[
                rx.button(tag, size="1", variant="soft", on_click=DocumentsState.add_suggested_tag(tag))
                for tag in SUGGESTED_TAGS
            ],
            wrap="wrap",
            width="100%",
            spacing="2",
            align="center",
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    value=DocumentsState.url,
                    on_change=DocumentsState.set_url,
                    type="url",
                    placeholder="https://example.com/pricing (add a web page)",
                    flex="1",
                    data_testid="url-input",
                ),
                rx.button(rx.icon("globe", size=14), "Add page", type="submit", data_testid="url-submit"),
                width="100%",
                spacing="2",
            ),
            on_submit=lambda _: DocumentsState.add_url(),
            width="100%",
        ),
        rx.cond(DocumentsState.uploading, rx.hstack(rx.spinner(size="1"), rx.text("Uploading…", size="2"))),
        rx.foreach(
            DocumentsState.messages,
            lambda m: rx.text(
                m["text"],
                size="2",
                color=rx.cond(m["kind"] == "error", rx.color("red", 11), rx.color("green", 11)),
                data_testid="upload-message",
            ),
        ),
        spacing="3",
        width="100%",
        style=styles.card,
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.form(
            rx.input(
                value=DocumentsState.query,
                on_change=DocumentsState.set_query,
                placeholder="Search by name…",
                data_testid="library-search",
            ),
            on_submit=lambda _: DocumentsState.search(),
        ),
        rx.select(
            ["all", *SUGGESTED_TAGS],
            value=rx.cond(DocumentsState.tag_filter == "", "all", DocumentsState.tag_filter),
            on_change=DocumentsState.set_tag_filter,
        ),
        rx.select(
            ["all", "processing", "ready", "failed"],
            value=rx.cond(DocumentsState.status_filter == "", "all", DocumentsState.status_filter),
            on_change=DocumentsState.set_status_filter,
        ),
        rx.spacer(),
        rx.text(DocumentsState.total.to_string(), " documents", size="2", color=rx.color("gray", 11)),
        width="100%",
        align="center",
        spacing="2",
        wrap="wrap",
    )


@template(route=routes.DOCUMENTS, title="Documents", on_load=DocumentsState.load)
def documents_page() -> rx.Component:
    return rx.vstack(
        rx.cond(
            DocumentsState.error != "", rx.callout(DocumentsState.error, icon="triangle-alert", color_scheme="red")
        ),
        rx.cond(
            AuthState.current_role != "viewer",
            _add_panel(),
            rx.callout("You can read this library; ask an admin for editor access to add documents.", icon="eye"),
        ),
        _filters(),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in ("Document", "Type", "Status", "Size", "Pages", "Chunks", "Tags", "Added", "")
                    ]
                )
            ),
            rx.table.body(rx.foreach(DocumentsState.documents, _row)),
            width="100%",
            data_testid="documents-table",
        ),
        rx.cond(
            DocumentsState.visual_note != "", rx.text(DocumentsState.visual_note, size="1", color=rx.color("gray", 10))
        ),
        retrieval_panel(
            query=RetrievalState.query,
            enhance=RetrievalState.enhance,
            searching=RetrievalState.searching,
            error=RetrievalState.error,
            results=RetrievalState.results,
            timings=RetrievalState.timings,
            total_ms=RetrievalState.total_ms,
            enhanced=RetrievalState.enhanced,
            on_query_change=RetrievalState.set_query,
            on_enhance_change=RetrievalState.set_enhance,
            on_search=RetrievalState.search,
        ),
        spacing="4",
        width="100%",
    )
