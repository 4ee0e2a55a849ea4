"""State of the members page: who is in the current space, and the space admin's invitations."""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from backend.tenancy import members
from obelisk_app.states import SpaceState

ROLES = ["viewer", "editor", "admin"]


class MemberRow(TypedDict):
    user_id: str
    name: str
    email: str
    role: str


class InvitationRow(TypedDict):
    id: str
    email: str
    role: str


class MembersState(SpaceState):
    members: list[MemberRow] = []
    invitations: list[InvitationRow] = []
    invite_role: str = "editor"
    invite_link: str = ""
    invite_note: str = ""
    error: str = ""

    async def _reload(self) -> None:
        ctx = await self._ctx()
        self.members = [
            MemberRow(user_id=str(m["user_id"]), name=m["name"], email=m["email"], role=m["role"])
            for m in await members.list_members(ctx)
        ]
        self.invitations = (
            [
                InvitationRow(id=str(i["id"]), email=i["email"], role=i["role"])
                for i in await members.list_invitations(ctx)
            ]
            if ctx.is_admin
            else []
        )

    @rx.event
    async def load(self) -> Any:
        self.invite_link = self.invite_note = ""
        return await self._call(self._reload())

    @rx.event
    def set_invite_role(self, role: str) -> None:
        self.invite_role = role if role in ROLES else "editor"

    async def _invite(self, email: str) -> Any:
        result = await members.invite(await self._ctx(), email=email, role=self.invite_role)
        if result.status == "added":
            self.invite_link, self.invite_note = "", f"{result.email} was added to this space as {result.role}."
        else:
            self.invite_link = result.invitation_url or ""
            self.invite_note = (
                f"Invitation emailed to {result.email}. You can also pass on this link:"
                if result.emailed
                else f"Send this link to {result.email}; it is valid for a limited time and works once:"
            )
        await self._reload()
        return rx.toast.success("Invitation created" if result.status == "invited" else "Member added")

    @rx.event
    async def invite(self, form: dict[str, Any]) -> Any:
        return await self._call(self._invite(str(form.get("email", ""))))

    async def _change_role(self, user_id: str, role: str) -> None:
        await members.change_role(await self._ctx(), user_id, role=role)
        await self._reload()

    @rx.event
    async def change_role(self, user_id: str, role: str) -> Any:
        return await self._call(self._change_role(user_id, role), success="Role changed")

    async def _remove(self, user_id: str) -> None:
        await members.remove_member(await self._ctx(), user_id)
        await self._reload()

    @rx.event
    async def remove(self, user_id: str) -> Any:
        return await self._call(self._remove(user_id), success="Member removed")

    async def _revoke(self, invitation_id: str) -> None:
        await members.revoke_invitation(await self._ctx(), invitation_id)
        await self._reload()

    @rx.event
    async def revoke_invitation(self, invitation_id: str) -> Any:
        return await self._call(self._revoke(invitation_id), success="Invitation withdrawn")
