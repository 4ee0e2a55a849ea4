"""State of the library's "test retrieval" panel: the same search as `POST /api/v1/search`, in the page."""

from __future__ import annotations

import logging
from typing import Any

import reflex as rx

from backend.core.errors import AppError
from backend.retrieval import service
from backend.retrieval.enhance import enhancement_default
from backend.retrieval.types import STREAMS, RankedResult, RetrievalResponse
from obelisk_app.components.retrieval_panel import STREAM_LABELS, ResultRow, TimingRow
from obelisk_app.states import SpaceState
from obelisk_app.states.log_scope import event_scope

logger = logging.getLogger(__name__)

_PREVIEW_CHARS = 600


def result_row(result: RankedResult) -> ResultRow:
    c = result.candidate
    content = c.content if len(c.content) <= _PREVIEW_CHARS else c.content[:_PREVIEW_CHARS].rstrip() + " …"
    return ResultRow(
        id=c.chunk_id,
        title=c.document_title or c.source_url or "Source",
        heading=" › ".join(c.heading_path),
        page=f"p. {c.page}" if c.page else "",
        score=f"{result.score:.3f}",
        stream=c.stream,
        stale="stale" if result.stale else "",
        content=content,
        source_url=c.source_url or "",
    )


def timing_rows(response: RetrievalResponse) -> list[TimingRow]:
    return [
        TimingRow(
            stream=STREAM_LABELS[name], ms=f"{response.streams[name].ms:.0f} ms", status=response.streams[name].status
        )
        for name in STREAMS
    ]


def describe_enhancement(response: RetrievalResponse) -> str:
    if response.enhancement == "timeout":
        limit = response.timings_ms.get("enhance_timeout", 0.0)
        return f"Query enhancement ran out of time ({limit:.0f} ms): the query was searched as typed."
    if response.enhancement == "failed":
        return "Query enhancement failed: the query was searched as typed."
    enhanced = response.enhanced_query
    if enhanced is None or not (enhanced.variants() or enhanced.entities):
        return ""
    parts = [f"Also searched: {'; '.join(enhanced.variants())}"] if enhanced.variants() else []
    if enhanced.entities:
        parts.append(f"Entities: {', '.join(enhanced.entities)}")
    return " · ".join(parts)


class RetrievalState(SpaceState):
    query: str = ""
    enhance: bool = enhancement_default()
    """Starts as the model stack's default (off on the local stack, where the fast model is too slow for it)."""
    results: list[ResultRow] = []
    timings: list[TimingRow] = []
    total_ms: str = ""
    enhanced: str = ""
    error: str = ""
    searching: bool = False

    @rx.event
    def set_query(self, value: str) -> None:
        self.query = value

    @rx.event
    def set_enhance(self, value: bool) -> None:
        self.enhance = bool(value)

    def _clear(self, error: str = "") -> None:
        self.results, self.timings = [], []
        self.total_ms = self.enhanced = ""
        self.error = error

    @rx.event(background=True)
    async def search(self, form: dict[str, Any] | None = None) -> Any:
        """Search the caller's current space (resolved on the server from the verified token).

        A background event: the scope is resolved under the state lock, the search runs outside it, so
        the page stays responsive; a second click while searching is ignored.
        """
        with event_scope():
            return await self._search(form)

    async def _search(self, form: dict[str, Any] | None) -> Any:
        async with self:
            if self.searching:
                return None
            query = " ".join(str((form or {}).get("query", self.query)).split())
            self.query = query
            if not query:
                self._clear("Type something to search for.")
                return None
            try:
                ctx = await self._ctx()
            except AppError as exc:
                self._clear()
                return await self._failed(exc)
            self.searching, self.error = True, ""
            enhance = self.enhance
        try:
            response = await service.search(ctx, query, enhance=enhance)
        except AppError as exc:
            async with self:
                self._clear()
                self.searching = False
                return await self._failed(exc)
        except Exception:
            logger.exception("test retrieval failed")
            async with self:
                self._clear("The search failed; it has been logged. Please try again.")
                self.searching = False
            return None
        async with self:
            self.results = [result_row(r) for r in response.results]
            self.timings = timing_rows(response)
            self.total_ms = f"{response.timings_ms.get('total', 0.0):.0f} ms"
            self.enhanced = describe_enhancement(response)
            self.error = ""
            self.searching = False
        return None
