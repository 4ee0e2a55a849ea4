"""`/agents`: the four agents, their effective settings in this space beside the defaults; admins adjust them."""

from __future__ import annotations

import reflex as rx

from obelisk_app import routes, styles
from obelisk_app.layout import template
from obelisk_app.pages.agents_state import AgentRow, AgentsState
from obelisk_app.states import AuthState


def _setting(label: str, value: rx.Var[str], default: rx.Var[str], testid: str) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color=rx.color("gray", 11), width="11em"),
        rx.text(value, size="2", weight="medium", data_testid=testid),
        rx.cond(value != default, rx.badge("default ", default, color_scheme="gray", variant="soft")),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _field(label: str, name: str, value: rx.Var[str], placeholder: rx.Var[str] | str, hint: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(name=name, default_value=value, placeholder=placeholder, width="100%", data_testid=f"agent-{name}"),
        rx.text(hint, size="1", color=rx.color("gray", 10)),
        spacing="1",
        width="100%",
    )


def _editor(row: AgentRow) -> rx.Component:
    return rx.form(
        rx.vstack(
            _field(
                "Temperature",
                "temperature",
                row["temperature"],
                row["default_temperature"],
                "0 = the same answer every time; 1 = more varied. Empty = default.",
            ),
            _field(
                "Collections (document tags, comma separated)",
                "collections",
                row["collections"],
                row["default_collections"],
                "Searched first; the whole space is used when they find nothing.",
            ),
            _field("Passages per search", "top_k", row["top_k"], row["default_top_k"], "1 to 50."),
            _field(
                "Step limit",
                "max_iterations",
                row["max_iterations"],
                row["default_max_iterations"],
                "Think → act → check cycles before the agent stops (at most 25).",
            ),
            rx.vstack(
                rx.text("Extra instructions", size="2", weight="medium"),
                rx.text_area(
                    name="extra_instructions",
                    default_value=row["extra_instructions"],
                    rows="4",
                    width="100%",
                    placeholder="e.g. Always write British English.",
                    data_testid="agent-extra_instructions",
                ),
                spacing="1",
                width="100%",
            ),
            rx.hstack(
                rx.button("Save", type="submit", data_testid="agent-save"),
                rx.button("Cancel", type="button", variant="soft", color_scheme="gray", on_click=AgentsState.cancel),
                spacing="2",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=AgentsState.save,
        reset_on_submit=False,
        width="100%",
    )


def _card(row: AgentRow) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(row["name"], size="4"),
            rx.cond(row["overridden"] != "", rx.badge("adjusted", color_scheme="amber")),
            rx.spacer(),
            rx.cond(
                AuthState.is_space_admin & (AgentsState.editing != row["agent"]),
                rx.hstack(
                    rx.button(
                        "Adjust",
                        size="1",
                        variant="soft",
                        on_click=AgentsState.edit(row["agent"]),
                        data_testid=f"edit-{row['agent']}",
                    ),
                    rx.cond(
                        row["overridden"] != "",
                        rx.button(
                            "Reset to defaults",
                            size="1",
                            variant="ghost",
                            color_scheme="gray",
                            on_click=AgentsState.restore_defaults(row["agent"]),
                        ),
                    ),
                    spacing="2",
                ),
            ),
            width="100%",
            align="center",
        ),
        rx.text(row["description"], size="2", color=rx.color("gray", 11)),
        rx.cond(
            AgentsState.editing == row["agent"],
            _editor(row),
            rx.vstack(
                _setting("Temperature", row["temperature"], row["default_temperature"], f"{row['agent']}-temperature"),
                _setting("Collections", row["collections"], row["default_collections"], f"{row['agent']}-collections"),
                _setting("Passages per search", row["top_k"], row["default_top_k"], f"{row['agent']}-top_k"),
                _setting(
                    "Step limit", row["max_iterations"], row["default_max_iterations"], f"{row['agent']}-max_iterations"
                ),
                rx.hstack(
                    rx.text("Tools", size="2", color=rx.color("gray", 11), width="11em"),
                    rx.text(row["tools"], size="2"),
                    spacing="2",
                ),
                rx.cond(
                    row["extra_instructions"] != "",
                    rx.text(
                        row["extra_instructions"],
                        size="2",
                        white_space="pre-wrap",
                        data_testid=f"{row['agent']}-instructions",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
        ),
        style=styles.card,
        width="100%",
        data_testid=f"agent-card-{row['agent']}",
    )


@template(route=routes.AGENTS, title="Agents", on_load=AgentsState.load)
def agents_page() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Four agents write and check content grounded in this space's documents. Each searches its "
            "collections (document tags) first. Space admins adjust them here; every change is audited.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.cond(AgentsState.error != "", rx.callout(AgentsState.error, icon="triangle-alert", color_scheme="red")),
        rx.grid(
            rx.foreach(AgentsState.agents, _card),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        width="100%",
        spacing="4",
    )
