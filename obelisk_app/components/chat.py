"""Pieces of the Chat page: a message, the compact steps of a run, the citations panel (stateless)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def _save_menu(m: rx.Var[MessageRow], save: Callable[[Any, str], Any], types: dict[str, str]) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("file-plus", size=14),
                "Save as content",
                size="1",
                variant="soft",
                data_testid="save-as-content",
            ),
        ),
        rx.menu.content(
            *[
                rx.menu.item(label, on_click=save(m["run_id"], key), data_testid=f"save-as-{key}")
                for key, label in types.items()
            ],
        ),
    )


def message_view(
    m: rx.Var[MessageRow],
    *,
    save: Callable[[Any, str], Any],
    retry: Callable[[Any], Any],
    resume: Callable[[Any], Any],
    types: dict[str, str],
) -> rx.Component:
    """One message; an answer has its stop reason, its source count, Copy, Retry, Save as content and (when
    the server stopped mid-answer) Resume."""
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
                rx.spacer(),
                rx.icon_button(
                    rx.icon("copy", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=rx.set_clipboard(m["content"]),
                    aria_label="Copy the answer",
                ),
                rx.cond(
                    m["run_id"] != "",
                    rx.button("Retry", size="1", variant="ghost", on_click=retry(m["run_id"]), data_testid="retry"),
                ),
                rx.cond(m["can_save"], _save_menu(m, save, types)),
                rx.cond(
                    m["can_resume"],
                    rx.button("Resume", size="1", on_click=resume(m["run_id"]), data_testid="resume"),
                ),
                spacing="2",
                width="100%",
                align="center",
            ),
            spacing="1",
            width="100%",
        ),
    )


__all__ = ["citation_item", "citations_panel", "message_view", "step_line", "user_bubble"]
