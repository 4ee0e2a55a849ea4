"""State of the document library page: uploads, URL adds, filters, live progress, delete and re-index."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import reflex as rx

from backend.core.config import get_settings
from backend.core.errors import AppError, Unauthorized
from backend.documents import service
from backend.documents.models import IN_FLIGHT
from backend.models.info import describe_models
from obelisk_app.states import AuthState
from obelisk_app.states.guard import guarded

POLL_SECONDS = 1.0
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


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _row(document: dict[str, Any]) -> dict[str, Any]:
    created = datetime.fromisoformat(document["created_at"])
    return {
        **{k: v for k, v in document.items() if k not in ("structure",)},
        "kind_label": KIND_LABELS.get(document["kind"], document["kind"]),
        "size": human_size(int(document["size_bytes"] or 0)),
        "date": created.strftime("%Y-%m-%d %H:%M"),
        "tags_text": ", ".join(document["tags"]),
        "pages_text": str(document["pages"]) if document["pages"] else "–",
        "in_flight": document["status"] in IN_FLIGHT,
        "error": document["error"] or "",
        "uploaded_by": document["uploaded_by"] or "",
    }


class DocumentsState(rx.State):
    documents: list[dict[str, Any]] = []
    total: int = 0
    query: str = ""
    tag_filter: str = ""
    status_filter: str = ""
    upload_tags: str = ""
    url: str = ""
    messages: list[dict[str, str]] = []
    error: str = ""
    uploading: bool = False
    polling: bool = False
    visual_note: str = ""

    async def _ctx(self) -> Any:
        return await (await self.get_state(AuthState)).space_context()

    async def _refresh(self) -> None:
        ctx = await self._ctx()
        documents, self.total = await service.list_documents(
            ctx, query=self.query or None, tag=self.tag_filter or None, status=self.status_filter or None, limit=200
        )
        self.documents = [_row(service.public_document(d)) for d in documents]

    def _say(self, kind: str, text: str) -> None:
        self.messages = [{"kind": kind, "text": text}, *self.messages][:8]

    async def _guard(self, action: Any) -> Any:
        result = await guarded(self, action)
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
        return await self._guard(self._refresh)

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
        return await self._guard(self._refresh)

    @rx.event
    async def set_status_filter(self, value: str) -> Any:
        self.status_filter = "" if value == "all" else value
        return await self._guard(self._refresh)

    @rx.event
    async def search(self) -> Any:
        return await self._guard(self._refresh)

    @rx.event
    async def add_suggested_tag(self, tag: str) -> None:
        tags = [t.strip() for t in self.upload_tags.split(",") if t.strip()]
        if tag not in tags:
            self.upload_tags = ", ".join([*tags, tag])

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]) -> Any:
        async def action() -> None:
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
                    self._say("error", f"{name}: {exc.message}")
                    continue
                self._say("ok", f"{name}: {'already in this space' if not result.created else 'queued'}")
            await self._refresh()

        self.uploading = True
        try:
            return await self._guard(action)
        finally:
            self.uploading = False

    @rx.event
    async def add_url(self) -> Any:
        async def action() -> None:
            result = await service.add_url(await self._ctx(), url=self.url, tags=self.upload_tags)
            self._say(
                "ok", f"{result.document.source_url}: {'already in this space' if not result.created else 'queued'}"
            )
            self.url = ""
            await self._refresh()

        return await self._guard(action)

    @rx.event
    async def reindex(self, document_id: str) -> Any:
        async def action() -> None:
            await service.reindex(await self._ctx(), document_id)
            await self._refresh()

        return await self._guard(action)

    @rx.event
    async def delete(self, document_id: str) -> Any:
        async def action() -> Any:
            await service.delete_document(await self._ctx(), document_id)
            await self._refresh()
            return rx.toast.success("Document deleted")

        return await self._guard(action)
