"""State of the document library page: uploads, URL adds, filters, live progress, delete and re-index."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypedDict

import reflex as rx

from backend.core.config import get_settings
from backend.core.errors import AppError, Unauthorized
from backend.documents import service
from backend.models.info import describe_models
from obelisk_app.pages.document_rows import DocumentRow, document_row
from obelisk_app.states import SpaceState

POLL_SECONDS = 1.0


class Message(TypedDict):
    """A line under the upload zone: `kind` is "ok" or "error"."""

    kind: str
    text: str


class DocumentsState(SpaceState):
    documents: list[DocumentRow] = []
    total: int = 0
    query: str = ""
    tag_filter: str = ""
    status_filter: str = ""
    upload_tags: str = ""
    url: str = ""
    messages: list[Message] = []
    error: str = ""
    uploading: bool = False
    polling: bool = False
    visual_note: str = ""

    async def _refresh(self) -> None:
        documents, self.total = await service.list_documents(
            await self._ctx(),
            query=self.query or None,
            tag=self.tag_filter or None,
            status=self.status_filter or None,
            limit=200,
        )
        self.documents = [document_row(service.public_document(d)) for d in documents]

    def _say(self, kind: str, text: str) -> None:
        self.messages = [Message(kind=kind, text=text), *self.messages][:8]

    async def _call_and_follow(self, work: Awaitable[Any], *, success: str = "") -> Any:
        """`_call`, then keep the list fresh while anything in it is still being processed."""
        result = await self._call(work, success=success)
        if any(d["in_flight"] for d in self.documents) and not self.polling:
            return [DocumentsState.poll] if result is None else [result, DocumentsState.poll]
        return result

    @rx.event
    async def load(self) -> Any:
        self.messages, self.url = [], ""
        models = describe_models(get_settings())
        self.visual_note = (
            ""
            if models["embeddings"].startswith("vertex")
            else "Pictures are kept with their captions; searching visual content needs Vertex AI (VERTEX_PROJECT)."
        )
        return await self._call_and_follow(self._refresh())

    @rx.event(background=True)
    async def poll(self) -> None:
        """Refresh while any document is being processed, so progress bars move without a reload."""
        async with self:
            if self.polling:
                return
            self.polling = True
        try:
            for _ in range(3600):
                await asyncio.sleep(POLL_SECONDS)
                async with self:
                    try:
                        await self._refresh()
                    except AppError:
                        return
                    if not any(d["in_flight"] for d in self.documents):
                        return
        finally:
            async with self:
                self.polling = False

    @rx.event
    def set_query(self, value: str) -> None:
        self.query = value

    @rx.event
    def set_upload_tags(self, value: str) -> None:
        self.upload_tags = value

    @rx.event
    def set_url(self, value: str) -> None:
        self.url = value

    @rx.event
    async def set_tag_filter(self, value: str) -> Any:
        self.tag_filter = "" if value == "all" else value
        return await self._call_and_follow(self._refresh())

    @rx.event
    async def set_status_filter(self, value: str) -> Any:
        self.status_filter = "" if value == "all" else value
        return await self._call_and_follow(self._refresh())

    @rx.event
    async def search(self) -> Any:
        return await self._call_and_follow(self._refresh())

    @rx.event
    async def add_suggested_tag(self, tag: str) -> None:
        tags = [t.strip() for t in self.upload_tags.split(",") if t.strip()]
        if tag not in tags:
            self.upload_tags = ", ".join([*tags, tag])

    async def _upload(self, files: list[rx.UploadFile]) -> None:
        ctx = await self._ctx()
        limit = get_settings().upload_limit_bytes
        for upload in files:
            name = upload.name or upload.filename or "file"
            data = await upload.read(limit + 1)
            try:
                result = await service.add_upload(ctx, data=data, filename=name, tags=self.upload_tags)
            except Unauthorized:
                raise
            except AppError as exc:
                # One refused file (too big, unsupported) must not stop the others.
                self._say("error", f"{name}: {exc.message}")
                continue
            self._say("ok", f"{name}: {'already in this space' if not result.created else 'queued'}")
        await self._refresh()

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]) -> Any:
        self.uploading = True
        try:
            return await self._call_and_follow(self._upload(files))
        finally:
            self.uploading = False

    async def _add_url(self) -> None:
        result = await service.add_url(await self._ctx(), url=self.url, tags=self.upload_tags)
        self._say("ok", f"{result.document.source_url}: {'already in this space' if not result.created else 'queued'}")
        self.url = ""
        await self._refresh()

    @rx.event
    async def add_url(self) -> Any:
        return await self._call_and_follow(self._add_url())

    async def _reindex(self, document_id: str) -> None:
        await service.reindex(await self._ctx(), document_id)
        await self._refresh()

    @rx.event
    async def reindex(self, document_id: str) -> Any:
        return await self._call_and_follow(self._reindex(document_id))

    async def _delete(self, document_id: str) -> None:
        await service.delete_document(await self._ctx(), document_id)
        await self._refresh()

    @rx.event
    async def delete(self, document_id: str) -> Any:
        return await self._call_and_follow(self._delete(document_id), success="Document deleted")
