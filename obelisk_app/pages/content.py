"""`/content`: the space's content items by review state, with filters, a new item, and the review policy."""

from __future__ import annotations

import reflex as rx

from backend.content.review import LABELS, STATES
from backend.content.schemas import TYPE_LABELS
from obelisk_app import routes, styles
from obelisk_app.layout import template
from obelisk_app.pages.content_rows import ContentRow
from obelisk_app.pages.content_state import ALL, ContentState
from obelisk_app.states import AuthState

STATE_COLORS = (("approved", "green"), ("published", "blue"), ("changes_requested", "orange"), ("in_review", "violet"))


def state_badge(state: rx.Var[str], label: rx.Var[str]) -> rx.Component:
    return rx.badge(label, color_scheme=rx.match(state, *STATE_COLORS, "gray"), data_testid="content-state")


def _new_item() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("New content", size="4"),
            rx.hstack(
                rx.input(
                    value=ContentState.new_title,
                    on_change=ContentState.set_new_title,
                    placeholder="Title (or email subject)",
                    flex="1",
                    data_testid="new-content-title",
                ),
                rx.select.root(
                    rx.select.trigger(data_testid="new-content-type"),
                    rx.select.content(*[rx.select.item(label, value=key) for key, label in TYPE_LABELS.items()]),
                    value=ContentState.new_type,
                    on_change=ContentState.set_new_type,
                ),
                width="100%",
                spacing="2",
            ),
            rx.text_area(
                value=ContentState.new_body,
                on_change=ContentState.set_new_body,
                placeholder="Paste an agent's answer or write the text. Emails may start with 'Subject:' and "
                "'Preheader:' lines.",
                rows="6",
                width="100%",
                data_testid="new-content-body",
            ),
            rx.button(rx.icon("save", size=14), "Save and score", type="submit", data_testid="new-content-save"),
            spacing="2",
            width="100%",
        ),
        on_submit=lambda _: ContentState.create(),
        width="100%",
        style=styles.card,
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(data_testid="content-state-filter"),
            rx.select.content(
                rx.select.item("All states", value=ALL),
                *[rx.select.item(LABELS[s], value=s) for s in STATES],
            ),
            value=ContentState.state_filter,
            on_change=ContentState.set_state_filter,
        ),
        rx.select.root(
            rx.select.trigger(),
            rx.select.content(
                rx.select.item("All types", value=ALL),
                *[rx.select.item(label, value=key) for key, label in TYPE_LABELS.items()],
            ),
            value=ContentState.type_filter,
            on_change=ContentState.set_type_filter,
        ),
        rx.form(
            rx.input(value=ContentState.query, on_change=ContentState.set_query, placeholder="Search titles…"),
            on_submit=lambda _: ContentState.search(),
        ),
        rx.spacer(),
        rx.text(ContentState.total.to_string(), " items", size="2", color=rx.color("gray", 11)),
        width="100%",
        align="center",
        spacing="2",
        wrap="wrap",
    )


def _row(item: rx.Var[ContentRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(item["title"], href="/content/" + item["id"], weight="medium", data_testid="content-title")
        ),
        rx.table.cell(item["type_label"]),
        rx.table.cell(state_badge(item["state"], item["state_label"])),
        rx.table.cell(item["version"].to_string()),
        rx.table.cell(item["voice_score"], data_testid="content-voice-score"),
        rx.table.cell(
            rx.cond(
                item["unsupported"] > 0,
                rx.badge(item["unsupported"].to_string(), " unsupported", color_scheme="red"),
                rx.text("none", size="2", color=rx.color("gray", 10)),
            )
        ),
        rx.table.cell(item["updated"]),
    )


def _policy() -> rx.Component:
    return rx.hstack(
        rx.switch(
            checked=ContentState.require_supported,
            on_change=ContentState.set_require_supported,
            disabled=~AuthState.is_space_admin,
        ),
        rx.text("Require every claim to be supported (or an approver's written override) before approval", size="2"),
        spacing="2",
        align="center",
    )


@template(route=routes.CONTENT, title="Content", on_load=ContentState.load)
def content_page() -> rx.Component:
    return rx.vstack(
        rx.cond(ContentState.error != "", rx.callout(ContentState.error, icon="triangle-alert", color_scheme="red")),
        rx.cond(AuthState.current_role != "viewer", _new_item()),
        _policy(),
        _filters(),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in ("Title", "Type", "State", "Version", "Voice", "Claims", "Changed")
                    ]
                )
            ),
            rx.table.body(rx.foreach(ContentState.items, _row)),
            width="100%",
        ),
        rx.cond(ContentState.total == 0, rx.text("No content here yet.", size="2", color=rx.color("gray", 10))),
        spacing="3",
        width="100%",
    )
