"""State of the spaces page: organization admins create, rename and archive spaces."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypedDict

import reflex as rx

from backend.tenancy import spaces
from backend.tenancy.context import Principal
from obelisk_app.states import SpaceState


class SpaceRow(TypedDict):
    id: str
    name: str
    members: int
    archived: bool


class SpacesState(SpaceState):
    items: list[SpaceRow] = []
    error: str = ""
    editing_id: str = ""
    editing_name: str = ""

    async def _change(self, change: Callable[[Principal], Awaitable[Any]] | None = None) -> None:
        """Apply `change` as the verified caller, then reload the list and the caller's space switcher."""
        principal = await self._principal()
        if change is not None:
            await change(principal)
        self.items = [
            SpaceRow(id=s["id"], name=s["name"], members=int(s["members"]), archived=bool(s["archived"]))
            for s in await spaces.list_organization_spaces(principal)
        ]
        await (await self._auth())._refresh_me()

    @rx.event
    async def load(self) -> Any:
        return await self._call(self._change())

    @rx.event
    async def create(self, form: dict[str, Any]) -> Any:
        name = str(form.get("name", ""))
        return await self._call(self._change(lambda p: spaces.create_space(p, name=name)), success="Space created")

    @rx.event
    def start_rename(self, space_id: str, name: str) -> None:
        self.editing_id, self.editing_name = space_id, name

    @rx.event
    def set_editing_name(self, value: str) -> None:
        self.editing_name = value

    @rx.event
    async def save_rename(self) -> Any:
        space_id, name = self.editing_id, self.editing_name
        result = await self._call(
            self._change(lambda p: spaces.rename_space(p, space_id, name=name)), success="Space renamed"
        )
        if not self.error:
            self.editing_id = ""
        return result

    @rx.event
    async def archive(self, space_id: str) -> Any:
        return await self._call(self._change(lambda p: spaces.archive_space(p, space_id)), success="Space archived")
