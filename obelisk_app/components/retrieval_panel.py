"""The "test retrieval" panel of the document library: type a query, see the ranked passages with their
sources, scores and streams, and the time each stream took. It runs the same search as `POST /api/v1/search`."""

from __future__ import annotations

import logging
from typing import Any

import reflex as rx

from backend.core.errors import AppError, Unauthorized
from backend.retrieval import service
from backend.retrieval.types import STREAMS, RankedResult, RetrievalResponse
from obelisk_app import routes, styles
from obelisk_app.states import AuthState

logger = logging.getLogger(__name__)

STREAM_LABELS = {
    "referenced": "Referenced",
    "general": "Hybrid search",
    "urls": "Web pages",
    "business_context": "Business context",
}
_PREVIEW_CHARS = 600


def _result_row(result: RankedResult) -> dict[str, str]:
    c = result.candidate
    content = c.content if len(c.content) <= _PREVIEW_CHARS else c.content[:_PREVIEW_CHARS].rstrip() + " …"
    return {
        "id": c.chunk_id,
        "title": c.document_title or c.source_url or "Source",
        "heading": " › ".join(c.heading_path),
        "page": f"p. {c.page}" if c.page else "",
        "score": f"{result.score:.3f}",
        "stream": c.stream,
        "stale": "stale" if result.stale else "",
        "content": content,
        "source_url": c.source_url or "",
    }


def _timing_rows(response: RetrievalResponse) -> list[dict[str, str]]:
    rows = []
    for name in STREAMS:
        report = response.streams[name]
        rows.append({"stream": STREAM_LABELS[name], "ms": f"{report.ms:.0f} ms", "status": report.status})
    return rows


class RetrievalState(rx.State):
    query: str = ""
    enhance: bool = True
    results: list[dict[str, str]] = []
    timings: list[dict[str, str]] = []
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
        """Search the caller's current space (resolved on the server from the verified token)."""
        async with self:
            if self.searching:
                return None
            query = " ".join(str((form or {}).get("query", self.query)).split())
            self.query = query
            if not query:
                self._clear("Type something to search for.")
                return None
            auth = await self.get_state(AuthState)
            try:
                ctx = await auth.space_context()
            except Unauthorized:
                self._clear()
                return rx.redirect(routes.LOGIN)
            except AppError as exc:
                self._clear(exc.message)
                return None
            self.searching, self.error = True, ""
            enhance = self.enhance
        try:
            response = await service.search(ctx, query, enhance=enhance)
        except AppError as exc:
            async with self:
                self._clear(exc.message)
                self.searching = False
            return None
        except Exception:
            logger.exception("test retrieval failed")
            async with self:
                self._clear("The search failed; it has been logged. Please try again.")
                self.searching = False
            return None
        async with self:
            self.results = [_result_row(r) for r in response.results]
            self.timings = _timing_rows(response)
            self.total_ms = f"{response.timings_ms.get('total', 0.0):.0f} ms"
            self.enhanced = _describe(response)
            self.error = ""
            self.searching = False
        return None


def _describe(response: RetrievalResponse) -> str:
    enhanced = response.enhanced_query
    if enhanced is None or not (enhanced.variants() or enhanced.entities):
        return ""
    parts = [f"Also searched: {'; '.join(enhanced.variants())}"] if enhanced.variants() else []
    if enhanced.entities:
        parts.append(f"Entities: {', '.join(enhanced.entities)}")
    return " · ".join(parts)


def _stream_badge(stream: rx.Var[str]) -> rx.Component:
    return rx.match(
        stream,
        ("referenced", rx.badge(STREAM_LABELS["referenced"], color_scheme="violet")),
        ("general", rx.badge(STREAM_LABELS["general"], color_scheme="blue")),
        ("urls", rx.badge(STREAM_LABELS["urls"], color_scheme="cyan")),
        rx.badge(STREAM_LABELS["business_context"], color_scheme="amber"),
    )


def _result_card(result: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(result["title"], weight="bold", size="2"),
            _stream_badge(result["stream"]),
            rx.cond(result["stale"] != "", rx.badge("stale", color_scheme="red", variant="soft")),
            rx.spacer(),
            rx.text(result["score"], size="1", color=rx.color("gray", 11), font_family="monospace"),
            width="100%",
            align="center",
            spacing="2",
        ),
        rx.hstack(
            rx.text(result["heading"], size="1", color=rx.color("gray", 11)),
            rx.text(result["page"], size="1", color=rx.color("gray", 11)),
            rx.cond(
                result["source_url"] != "",
                rx.link(result["source_url"], href=result["source_url"], size="1", is_external=True),
            ),
            spacing="2",
        ),
        rx.text(result["content"], size="2", white_space="pre-wrap"),
        spacing="1",
        width="100%",
        padding="0.75rem",
        border_radius="var(--radius-3)",
        border=f"1px solid {rx.color('gray', 5)}",
        data_testid="retrieval-result",
    )


def _timing(row: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.badge(
        row["stream"],
        ": ",
        row["ms"],
        rx.cond(row["status"] != "ok", rx.text.span(" (", row["status"], ")")),
        color_scheme=rx.cond(row["status"] == "ok", "gray", "orange"),
        variant="soft",
    )


def retrieval_panel() -> rx.Component:
    """Query box, enhancement switch, per-stream timings and the ranked passages."""
    return rx.vstack(
        rx.heading("Test retrieval", size="4"),
        rx.form(
            rx.hstack(
                rx.input(
                    name="query",
                    value=RetrievalState.query,
                    on_change=RetrievalState.set_query,
                    placeholder="Ask what an agent would look up, e.g. What does the Pro plan cost?",
                    flex="1",
                    data_testid="retrieval-query",
                ),
                rx.button(
                    rx.icon("search", size=14),
                    "Search",
                    type="submit",
                    loading=RetrievalState.searching,
                    data_testid="retrieval-search",
                ),
                width="100%",
                spacing="2",
            ),
            on_submit=RetrievalState.search,
            width="100%",
        ),
        rx.hstack(
            rx.switch(checked=RetrievalState.enhance, on_change=RetrievalState.set_enhance, size="1"),
            rx.text("Query enhancement (rewrites the query with the fast model)", size="1"),
            align="center",
            spacing="2",
        ),
        rx.cond(
            RetrievalState.error != "", rx.callout(RetrievalState.error, icon="triangle-alert", color_scheme="red")
        ),
        rx.cond(
            RetrievalState.total_ms != "",
            rx.hstack(
                rx.foreach(RetrievalState.timings, _timing),
                rx.badge("Total: ", RetrievalState.total_ms, variant="outline"),
                wrap="wrap",
                spacing="2",
                data_testid="retrieval-timings",
            ),
        ),
        rx.cond(RetrievalState.enhanced != "", rx.text(RetrievalState.enhanced, size="1", color=rx.color("gray", 11))),
        rx.cond(
            (RetrievalState.total_ms != "") & (RetrievalState.results.length() == 0),
            rx.text("Nothing in this space matches yet.", size="2", color=rx.color("gray", 11)),
        ),
        rx.foreach(RetrievalState.results, _result_card),
        width="100%",
        spacing="3",
        style=styles.card,
    )


__all__ = ["RetrievalState", "retrieval_panel"]
