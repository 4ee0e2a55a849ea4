"""The "test retrieval" panel: a query box, the enhancement switch, per-stream timings and the ranked passages.

Stateless: the page passes its state's vars and handlers in (`pages/retrieval_state.py` holds them for the
document library), so the same panel can sit on any page that searches a space.
"""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from obelisk_app import styles

STREAM_LABELS = {
    "referenced": "Referenced",
    "general": "Hybrid search",
    "urls": "Web pages",
    "business_context": "Business context",
}


class ResultRow(TypedDict):
    """One ranked passage: where it comes from, its score and stream, and the start of its text."""

    id: str
    title: str
    heading: str
    page: str
    score: str
    stream: str
    stale: str
    content: str
    source_url: str


class TimingRow(TypedDict):
    """How long one retrieval stream took, and whether it answered."""

    stream: str
    ms: str
    status: str


def _stream_badge(stream: rx.Var[str]) -> rx.Component:
    return rx.match(
        stream,
        ("referenced", rx.badge(STREAM_LABELS["referenced"], color_scheme="violet")),
        ("general", rx.badge(STREAM_LABELS["general"], color_scheme="blue")),
        ("urls", rx.badge(STREAM_LABELS["urls"], color_scheme="cyan")),
        rx.badge(STREAM_LABELS["business_context"], color_scheme="amber"),
    )


def _result_card(result: rx.Var[ResultRow]) -> rx.Component:
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


def _timing(row: rx.Var[TimingRow]) -> rx.Component:
    return rx.badge(
        row["stream"],
        ": ",
        row["ms"],
        rx.cond(row["status"] != "ok", rx.text.span(" (", row["status"], ")")),
        color_scheme=rx.cond(row["status"] == "ok", "gray", "orange"),
        variant="soft",
    )


def retrieval_panel(
    *,
    query: rx.Var[str],
    enhance: rx.Var[bool],
    searching: rx.Var[bool],
    error: rx.Var[str],
    results: rx.Var[list[ResultRow]],
    timings: rx.Var[list[TimingRow]],
    total_ms: rx.Var[str],
    enhanced: rx.Var[str],
    on_query_change: Any,
    on_enhance_change: Any,
    on_search: Any,
) -> rx.Component:
    """The panel; `on_search` receives the form (`{"query": ...}`)."""
    return rx.vstack(
        rx.heading("Test retrieval", size="4"),
        rx.form(
            rx.hstack(
                rx.input(
                    name="query",
                    value=query,
                    on_change=on_query_change,
                    placeholder="Ask what an agent would look up, e.g. What does the Pro plan cost?",
                    flex="1",
                    data_testid="retrieval-query",
                ),
                rx.button(
                    rx.icon("search", size=14),
                    "Search",
                    type="submit",
                    loading=searching,
                    data_testid="retrieval-search",
                ),
                width="100%",
                spacing="2",
            ),
            on_submit=on_search,
            width="100%",
        ),
        rx.hstack(
            rx.switch(checked=enhance, on_change=on_enhance_change, size="1"),
            rx.text("Query enhancement (rewrites the query with the fast model)", size="1"),
            align="center",
            spacing="2",
        ),
        rx.cond(error != "", rx.callout(error, icon="triangle-alert", color_scheme="red")),
        rx.cond(
            total_ms != "",
            rx.hstack(
                rx.foreach(timings, _timing),
                rx.badge("Total: ", total_ms, variant="outline"),
                wrap="wrap",
                spacing="2",
                data_testid="retrieval-timings",
            ),
        ),
        rx.cond(enhanced != "", rx.text(enhanced, size="1", color=rx.color("gray", 11))),
        rx.cond(
            (total_ms != "") & (results.length() == 0),
            rx.text("Nothing in this space matches yet.", size="2", color=rx.color("gray", 11)),
        ),
        rx.foreach(results, _result_card),
        width="100%",
        spacing="3",
        style=styles.card,
    )


__all__ = ["STREAM_LABELS", "ResultRow", "TimingRow", "retrieval_panel"]
