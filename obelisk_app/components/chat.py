"""Pieces of the Chat page: a message, the compact steps of a run, the citations panel (stateless)."""

from __future__ import annotations

import reflex as rx

from obelisk_app.pages.chat_rows import CitationRow, MessageRow, StepRow


def citation_item(c: rx.Var[CitationRow]) -> rx.Component:
    title = rx.text(c["title"], size="2", weight="medium")
    return rx.hstack(
        rx.badge(c["key"], variant="soft"),
        rx.vstack(
            rx.cond(c["href"] != "", rx.link(title, href=c["href"], data_testid="citation-link"), title),
            rx.cond(c["where"] != "", rx.text(c["where"], size="1", color=rx.color("gray", 10))),
            spacing="0",
        ),
        spacing="2",
        align="start",
        data_testid="citation",
    )


def citations_panel(citations: rx.Var[list[CitationRow]]) -> rx.Component:
    return rx.vstack(
        rx.heading("Sources", size="3"),
        rx.cond(
            citations.length() > 0,
            rx.vstack(rx.foreach(citations, citation_item), spacing="3", width="100%"),
            rx.text("The sources an answer cites appear here.", size="2", color=rx.color("gray", 10)),
        ),
        spacing="3",
        width="100%",
        data_testid="citations-panel",
    )


def step_line(step: rx.Var[StepRow]) -> rx.Component:
    return rx.hstack(
        rx.icon(
            rx.match(step["kind"], ("tool", "wrench"), ("error", "circle-alert"), "dot"),
            size=14,
            color=rx.cond(step["ok"], rx.color("gray", 10), rx.color("red", 10)),
        ),
        rx.text(step["text"], size="1", color=rx.cond(step["ok"], rx.color("gray", 11), rx.color("red", 11))),
        spacing="1",
        align="center",
        data_testid="run-step",
    )


def user_bubble(text: rx.Var[str] | str) -> rx.Component:
    return rx.box(
        rx.text(text, size="2", white_space="pre-wrap"),
        background=rx.color("accent", 3),
        padding="0.6rem 0.9rem",
        border_radius="var(--radius-3)",
        align_self="end",
        max_width="85%",
        data_testid="user-message",
    )


def message_view(m: rx.Var[MessageRow]) -> rx.Component:
    return rx.cond(
        m["role"] == "user",
        user_bubble(m["content"]),
        rx.vstack(
            rx.box(rx.markdown(m["content"]), width="100%", data_testid="answer"),
            rx.hstack(
                rx.cond(
                    m["stop_label"] != "", rx.badge(m["stop_label"], color_scheme="amber", data_testid="stop-label")
                ),
                rx.cond(
                    m["citations"].length() > 0,
                    rx.badge(m["citations"].length().to_string(), " sources", variant="soft"),
                ),
                spacing="2",
            ),
            spacing="1",
            width="100%",
        ),
    )


__all__ = ["citation_item", "citations_panel", "message_view", "step_line", "user_bubble"]
