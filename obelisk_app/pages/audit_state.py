"""State of the audit log page: the organization's administrative actions, a page at a time."""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from backend.tenancy.spaces import audit_log
from obelisk_app.states import SpaceState

PAGE_SIZE = 50


class AuditRow(TypedDict):
    """One audit entry as the table shows it."""

    when: str
    who: str
    what: str
    target: str
    details: str
    correlation_id: str


def audit_row(entry: dict[str, Any]) -> AuditRow:
    return AuditRow(
        when=entry["created_at"][:19].replace("T", " "),
        who=entry["actor_email"],
        what=entry["description"],
        target=entry["target"] or "",
        details=", ".join(f"{k}: {v}" for k, v in (entry["details"] or {}).items()),
        correlation_id=entry["correlation_id"] or "",
    )


class AuditState(SpaceState):
    entries: list[AuditRow] = []
    total: int = 0
    offset: int = 0
    error: str = ""

    async def _fetch(self) -> None:
        self.entries = []
        entries, self.total = await audit_log(await self._principal(), limit=PAGE_SIZE, offset=self.offset)
        self.entries = [audit_row(e) for e in entries]

    @rx.event
    async def load(self) -> Any:
        self.offset = 0
        return await self._call(self._fetch())

    @rx.event
    async def page(self, delta: int) -> Any:
        self.offset = max(0, min(self.offset + delta * PAGE_SIZE, max(self.total - 1, 0)))
        return await self._call(self._fetch())
