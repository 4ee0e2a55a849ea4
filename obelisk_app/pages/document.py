"""`/documents/<id>`: one document's outline and chunks, its tags and valid-until date, quarantine review."""

from __future__ import annotations

from datetime import date
from typing import Any

import reflex as rx

from backend.documents import service
from obelisk_app import routes, styles
from obelisk_app.layout import template
from obelisk_app.pages.documents_state import _row as summarise
from obelisk_app.states import AuthState
from obelisk_app.states.guard import guarded

CHUNK_PAGE = 50


class DocumentState(rx.State):
    doc: dict[str, Any] = {}
    headings: list[dict[str, Any]] = []
    tables: list[dict[str, Any]] = []
    images: list[dict[str, Any]] = []
    chunks: list[dict[str, Any]] = []
    chunk_total: int = 0
    chunk_offset: int = 0
    tags: str = ""
    valid_until: str = ""
    error: str = ""

    def _id(self) -> str:
        return (self.router.url.path or "").rstrip("/").rsplit("/", 1)[-1]

    async def _ctx(self) -> Any:
        return await (await self.get_state(AuthState)).space_context()

    async def _load(self) -> None:
        ctx = await self._ctx()
        document = await service.get_document(ctx, self._id())
        public = service.public_document(document, with_structure=True)
        structure = public.pop("structure") or {}
        self.doc = summarise(public)
        self.headings = [
            {**h, "indent": f"{max(0, int(h.get('level') or 0)) * 1.0}rem", "page": h.get("page") or ""}
            for h in structure.get("headings", [])
        ]
        self.tables = [
            {
                **t,
                "where": " › ".join(t.get("heading_path") or []) or "(top of document)",
                "sheet": t.get("sheet") or "",
                "page": t.get("page") or "",
            }
            for t in structure.get("tables", [])
        ]
        self.images = [
            {"caption": i.get("caption") or "(no caption)", "page": i.get("page") or ""}
            for i in structure.get("images", [])
        ]
        self.tags = ", ".join(document.tags)
        self.valid_until = document.valid_until.isoformat() if document.valid_until else ""
        chunks, self.chunk_total = await service.list_chunks(
            ctx, document.id, limit=CHUNK_PAGE, offset=self.chunk_offset
        )
        self.chunks = [
            {
                **service.public_chunk(c),
                "path": " › ".join(c.heading_path) or "(no heading)",
                "page_text": str(c.page) if c.page is not None else "–",
                "reason": c.quarantine_reason or "",
            }
            for c in chunks
        ]

    async def _guard(self, action: Any) -> Any:
        return await guarded(self, action)

    @rx.event
    async def load(self) -> Any:
        self.chunk_offset = 0
        return await self._guard(self._load)

    @rx.event
    async def page(self, delta: int) -> Any:
        self.chunk_offset = max(0, self.chunk_offset + delta * CHUNK_PAGE)
        return await self._guard(self._load)

    @rx.event
    def set_tags(self, value: str) -> None:
        self.tags = value

    @rx.event
    def set_valid_until(self, value: str) -> None:
        self.valid_until = value

    @rx.event
    async def save(self) -> Any:
        async def action() -> Any:
            when = date.fromisoformat(self.valid_until) if self.valid_until else None
            await service.update_document(
                await self._ctx(), self._id(), tags=self.tags, valid_until=when, clear_valid_until=when is None
            )
            await self._load()
            return rx.toast.success("Saved")

        try:
            return await self._guard(action)
        except ValueError:
            self.error = "Enter the date as YYYY-MM-DD."
            return None

    @rx.event
    async def release(self, chunk_id: str) -> Any:
        async def action() -> Any:
            await service.release_chunk(await self._ctx(), self._id(), chunk_id)
            await self._load()
            return rx.toast.success("Released: this chunk can now be used in answers")

        return await self._guard(action)

    @rx.event
    async def download(self) -> Any:
        async def action() -> Any:
            data, document = await service.read_file(await self._ctx(), self._id())
            return rx.download(data=data, filename=document.filename)

        return await self._guard(action)


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
                    weight=rx.cond(h["level"].to(int) <= 1, "bold", "regular"),
                ),
                rx.spacer(),
                rx.text(h["page"].to_string(), size="1", color=rx.color("gray", 10)),
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
        rx.foreach(
            DocumentState.images, lambda i: rx.text(i["caption"], " (page ", i["page"].to_string(), ")", size="2")
        ),
        spacing="1",
        width="100%",
        style=styles.card,
    )


def _chunk(chunk: rx.Var[dict[str, Any]]) -> rx.Component:
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
                rx.hstack(
                    rx.text("Quarantined: ", chunk["reason"], size="1"),
                    rx.cond(
                        AuthState.is_space_admin,
                        rx.button(
                            "Release", size="1", variant="soft", on_click=DocumentState.release(chunk["id"].to(str))
                        ),
                    ),
                    align="center",
                    spacing="2",
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
        rx.heading(d["title"].to(str), size="6", data_testid="document-heading"),
        rx.hstack(
            rx.badge(d["kind_label"].to(str)),
            rx.badge(d["status"].to(str), data_testid="document-detail-status"),
            rx.text(
                d["size"].to(str),
                " · ",
                d["pages_text"].to(str),
                " pages · ",
                DocumentState.chunk_total.to_string(),
                " chunks · added by ",
                d["uploaded_by"].to(str),
                " on ",
                d["date"].to(str),
                size="2",
            ),
            rx.button(
                rx.icon("download", size=14), "Original", size="1", variant="soft", on_click=DocumentState.download
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(d["error"].to(str) != "", rx.callout(d["error"].to(str), icon="circle-x", color_scheme="red")),
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
