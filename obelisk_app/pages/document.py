"""`/documents/<id>`: one document's outline and chunks, its tags and valid-until date, quarantine review."""

from __future__ import annotations

import reflex as rx

from obelisk_app import routes, styles
from obelisk_app.layout import template
from obelisk_app.pages.document_rows import ChunkRow
from obelisk_app.pages.document_state import CHUNK_PAGE, DocumentState
from obelisk_app.states import AuthState


def _outline() -> rx.Component:
    return rx.vstack(
        rx.heading("Outline", size="4"),
        rx.foreach(
            DocumentState.headings,
            lambda h: rx.hstack(
                rx.text(
                    h["text"],
                    size="2",
                    padding_left=h["indent"],
                    weight=rx.cond(h["level"] <= 1, "bold", "regular"),
                ),
                rx.spacer(),
                rx.text(h["page"], size="1", color=rx.color("gray", 10)),
                width="100%",
                data_testid="outline-heading",
            ),
        ),
        rx.cond(DocumentState.tables.length() > 0, rx.heading("Tables", size="3", margin_top="0.5rem")),
        rx.foreach(
            DocumentState.tables,
            lambda t: rx.text(
                t["rows"].to_string(),
                " × ",
                t["columns"].to_string(),
                " table in ",
                t["where"],
                " ",
                t["sheet"],
                size="2",
            ),
        ),
        rx.cond(DocumentState.images.length() > 0, rx.heading("Pictures", size="3", margin_top="0.5rem")),
        rx.foreach(DocumentState.images, lambda i: rx.text(i["caption"], " (page ", i["page"], ")", size="2")),
        spacing="1",
        width="100%",
        style=styles.card,
    )


def _chunk(chunk: rx.Var[ChunkRow]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge("#", chunk["index"].to_string(), variant="outline"),
            rx.badge(chunk["kind"], variant="soft"),
            rx.text(chunk["path"], size="1", weight="medium", data_testid="chunk-path"),
            rx.spacer(),
            rx.text("page ", chunk["page_text"], size="1", color=rx.color("gray", 10)),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            chunk["quarantined"],
            rx.callout(
                rx.vstack(
                    rx.hstack(
                        rx.text("Quarantined: ", chunk["reason"], size="1"),
                        rx.cond(
                            AuthState.is_space_admin,
                            rx.button("Release", size="1", variant="soft", on_click=DocumentState.release(chunk["id"])),
                        ),
                        align="center",
                        spacing="2",
                    ),
                    rx.cond(
                        chunk["evidence"] != "",
                        rx.text(chunk["evidence"], size="1", data_testid="chunk-evidence"),
                    ),
                    spacing="1",
                ),
                icon="shield-alert",
                color_scheme="red",
                size="1",
                width="100%",
                data_testid="chunk-quarantined",
            ),
        ),
        rx.text(chunk["content"], size="2", white_space="pre-wrap", data_testid="chunk-content"),
        spacing="2",
        width="100%",
        style=styles.card,
        id="chunk-" + chunk["id"],  # the anchor a chat citation opens
    )


@template(route=routes.DOCUMENT, title="Document", on_load=DocumentState.load)
def document_page() -> rx.Component:
    d = DocumentState.doc
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Library"), spacing="1", align="center"),
            href=routes.DOCUMENTS,
            size="2",
        ),
        rx.cond(DocumentState.error != "", rx.callout(DocumentState.error, icon="triangle-alert", color_scheme="red")),
        rx.heading(d["title"], size="6", data_testid="document-heading"),
        rx.hstack(
            rx.badge(d["kind_label"]),
            rx.badge(d["status"], data_testid="document-detail-status"),
            rx.text(
                d["size"],
                " · ",
                d["pages_text"],
                " pages · ",
                DocumentState.chunk_total.to_string(),
                " chunks · added by ",
                d["uploaded_by"],
                " on ",
                d["date"],
                size="2",
            ),
            rx.button(
                rx.icon("download", size=14), "Original", size="1", variant="soft", on_click=DocumentState.download
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(d["error"] != "", rx.callout(d["error"], icon="circle-x", color_scheme="red")),
        rx.cond(
            AuthState.current_role != "viewer",
            rx.hstack(
                rx.input(
                    value=DocumentState.tags,
                    on_change=DocumentState.set_tags,
                    placeholder="tags, comma separated",
                    flex="1",
                ),
                rx.text("Valid until", size="2"),
                rx.input(type="date", value=DocumentState.valid_until, on_change=DocumentState.set_valid_until),
                rx.button("Save", on_click=DocumentState.save, size="2"),
                width="100%",
                align="center",
                spacing="2",
                wrap="wrap",
            ),
        ),
        _outline(),
        rx.heading("Chunks", size="4"),
        rx.foreach(DocumentState.chunks, _chunk),
        rx.hstack(
            rx.button(
                "Previous",
                size="1",
                variant="soft",
                on_click=DocumentState.page(-1),
                disabled=DocumentState.chunk_offset == 0,
            ),
            rx.button(
                "Next",
                size="1",
                variant="soft",
                on_click=DocumentState.page(1),
                disabled=DocumentState.chunk_offset + CHUNK_PAGE >= DocumentState.chunk_total,
            ),
            spacing="2",
        ),
        spacing="3",
        width="100%",
    )
