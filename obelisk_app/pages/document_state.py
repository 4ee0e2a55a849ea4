"""State of one document's page: its outline and chunks, its tags and valid-until date, quarantine review."""

from __future__ import annotations

from datetime import date
from typing import Any

import reflex as rx

from backend.documents import service
from obelisk_app.pages.document_rows import (
    ChunkRow,
    DocumentRow,
    HeadingRow,
    ImageRow,
    TableRow,
    chunk_row,
    document_row,
    empty_document_row,
    heading_rows,
    image_rows,
    table_rows,
)
from obelisk_app.states import SpaceState

CHUNK_PAGE = 50


class DocumentState(SpaceState):
    doc: DocumentRow = empty_document_row()
    headings: list[HeadingRow] = []
    tables: list[TableRow] = []
    images: list[ImageRow] = []
    chunks: list[ChunkRow] = []
    chunk_total: int = 0
    chunk_offset: int = 0
    tags: str = ""
    valid_until: str = ""
    error: str = ""

    def _document_id(self) -> str:
        # `document_id` is the route variable Reflex adds for the `[document_id]` of routes.DOCUMENT.
        return str(self.document_id)

    async def _load(self) -> None:
        ctx = await self._ctx()
        document = await service.get_document(ctx, self._document_id())
        public = service.public_document(document, with_structure=True)
        structure = public.pop("structure") or {}
        self.doc = document_row(public)
        self.headings, self.tables = heading_rows(structure), table_rows(structure)
        self.images = image_rows(structure)
        self.tags = ", ".join(document.tags)
        self.valid_until = document.valid_until.isoformat() if document.valid_until else ""
        chunks, self.chunk_total = await service.list_chunks(
            ctx, document.id, limit=CHUNK_PAGE, offset=self.chunk_offset
        )
        self.chunks = [chunk_row(c) for c in chunks]

    @rx.event
    async def load(self) -> Any:
        self.chunk_offset = 0
        return await self._call(self._load())

    @rx.event
    async def page(self, delta: int) -> Any:
        self.chunk_offset = max(0, self.chunk_offset + delta * CHUNK_PAGE)
        return await self._call(self._load())

    @rx.event
    def set_tags(self, value: str) -> None:
        self.tags = value

    @rx.event
    def set_valid_until(self, value: str) -> None:
        self.valid_until = value

    async def _save(self, when: date | None) -> None:
        await service.update_document(
            await self._ctx(), self._document_id(), tags=self.tags, valid_until=when, clear_valid_until=when is None
        )
        await self._load()

    @rx.event
    async def save(self) -> Any:
        try:
            when = date.fromisoformat(self.valid_until) if self.valid_until else None
        except ValueError:
            self.error = "Enter the date as YYYY-MM-DD."
            return None
        return await self._call(self._save(when), success="Saved")

    async def _release(self, chunk_id: str) -> None:
        await service.release_chunk(await self._ctx(), self._document_id(), chunk_id)
        await self._load()

    @rx.event
    async def release(self, chunk_id: str) -> Any:
        return await self._call(self._release(chunk_id), success="Released: this chunk can now be used in answers")

    async def _download(self) -> Any:
        data, document = await service.read_file(await self._ctx(), self._document_id())
        return rx.download(data=data, filename=document.filename)

    @rx.event
    async def download(self) -> Any:
        return await self._call(self._download())
