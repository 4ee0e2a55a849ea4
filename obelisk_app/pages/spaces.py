"""`/spaces`: organization admins create, rename and archive the organization's spaces."""

from __future__ import annotations

from typing import Any

import reflex as rx

from backend.core.errors import AppError, Unauthorized
from backend.tenancy import spaces
from obelisk_app import routes, styles
from obelisk_app.layout import template
from obelisk_app.states import AuthState


class SpacesState(rx.State):
    items: list[dict[str, Any]] = []
    error: str = ""
    editing_id: str = ""
    editing_name: str = ""

    async def _run(self, action: Any, success: str = "") -> Any:
        auth = await self.get_state(AuthState)
        self.error = ""
        try:
            principal = await auth.principal()
            await action(principal)
            self.items = await spaces.list_organization_spaces(principal)
            await auth.refresh_me()
        except Unauthorized:
            return rx.redirect(routes.LOGIN)
        except AppError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        return rx.toast.success(success) if success else None

    @rx.event
    async def load(self) -> Any:
        async def nothing(_: Any) -> None:
            return None

        return await self._run(nothing)

    @rx.event
    async def create(self, form: dict[str, Any]) -> Any:
        async def action(principal: Any) -> None:
            await spaces.create_space(principal, name=str(form.get("name", "")))

        return await self._run(action, "Space created")

    @rx.event
    def start_rename(self, space_id: str, name: str) -> None:
        self.editing_id, self.editing_name = space_id, name

    @rx.event
    def set_editing_name(self, value: str) -> None:
        self.editing_name = value

    @rx.event
    async def save_rename(self) -> Any:
        space_id, name = self.editing_id, self.editing_name

        async def action(principal: Any) -> None:
            await spaces.rename_space(principal, space_id, name=name)

        result = await self._run(action, "Space renamed")
        if not self.error:
            self.editing_id = ""
        return result

    @rx.event
    async def archive(self, space_id: str) -> Any:
        async def action(principal: Any) -> None:
            await spaces.archive_space(principal, space_id)

        return await self._run(action, "Space archived")


def _space_row(space: rx.Var[dict[str, Any]]) -> rx.Component:
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
                on_click=SpacesState.start_rename(space["id"].to(str), space["name"].to(str)),
            ),
            rx.button(
                "Archive",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=SpacesState.archive(space["id"].to(str)),
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
