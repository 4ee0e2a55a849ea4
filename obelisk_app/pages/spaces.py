"""`/spaces`: organization admins create, rename and archive the organization's spaces."""

from __future__ import annotations

import reflex as rx

from obelisk_app import routes, styles
from obelisk_app.layout import template
from obelisk_app.pages.spaces_state import SpaceRow, SpacesState
from obelisk_app.states import AuthState


def _space_row(space: rx.Var[SpaceRow]) -> rx.Component:
    name_cell = rx.cond(
        SpacesState.editing_id == space["id"],
        rx.hstack(
            rx.input(value=SpacesState.editing_name, on_change=SpacesState.set_editing_name, size="1"),
            rx.button("Save", size="1", on_click=SpacesState.save_rename),
            spacing="2",
        ),
        rx.text(space["name"], data_testid="space-name"),
    )
    actions = rx.cond(
        space["archived"],
        rx.badge("archived", color_scheme="gray"),
        rx.hstack(
            rx.button(
                "Rename",
                size="1",
                variant="soft",
                on_click=SpacesState.start_rename(space["id"], space["name"]),
            ),
            rx.button(
                "Archive",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=SpacesState.archive(space["id"]),
            ),
            spacing="2",
        ),
    )
    return rx.table.row(rx.table.cell(name_cell), rx.table.cell(space["members"].to_string()), rx.table.cell(actions))


@template(route=routes.SPACES, title="Spaces", on_load=SpacesState.load)
def spaces_page() -> rx.Component:
    return rx.vstack(
        rx.cond(
            AuthState.is_org_admin,
            rx.vstack(
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="name",
                            placeholder="New space name, e.g. EMEA Campaigns",
                            required=True,
                            flex="1",
                            data_testid="new-space-name",
                        ),
                        rx.button(rx.icon("plus", size=14), "Create space", type="submit", data_testid="create-space"),
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=SpacesState.create,
                    reset_on_submit=True,
                    width="100%",
                ),
                rx.cond(
                    SpacesState.error != "", rx.callout(SpacesState.error, icon="triangle-alert", color_scheme="red")
                ),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Space"),
                            rx.table.column_header_cell("Members"),
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(rx.foreach(SpacesState.items, _space_row)),
                    width="100%",
                ),
                width="100%",
                spacing="4",
                style=styles.card,
            ),
            rx.callout("Only organization admins manage spaces.", icon="lock"),
        ),
        width="100%",
    )
