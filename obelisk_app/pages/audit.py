"""`/audit`: the organization's administrative actions, for organization admins."""

from __future__ import annotations

from typing import Any

import reflex as rx

from backend.core.errors import AppError, Unauthorized
from backend.tenancy.spaces import audit_log
from obelisk_app import routes
from obelisk_app.layout import template
from obelisk_app.states import AuthState

PAGE_SIZE = 50


class AuditState(rx.State):
    entries: list[dict[str, str]] = []
    total: int = 0
    offset: int = 0
    error: str = ""

    async def _fetch(self) -> Any:
        auth = await self.get_state(AuthState)
        self.error = ""
        try:
            entries, self.total = await audit_log(await auth.principal(), limit=PAGE_SIZE, offset=self.offset)
        except Unauthorized:
            return rx.redirect(routes.LOGIN)
        except AppError as exc:
            self.entries, self.error = [], exc.message
            return None
        self.entries = [
            {
                "when": e["created_at"][:19].replace("T", " "),
                "who": e["actor_email"],
                "what": e["description"],
                "target": e["target"] or "",
                "details": ", ".join(f"{k}: {v}" for k, v in (e["details"] or {}).items()),
                "correlation_id": e["correlation_id"] or "",
            }
            for e in entries
        ]
        return None

    @rx.event
    async def load(self) -> Any:
        self.offset = 0
        return await self._fetch()

    @rx.event
    async def page(self, delta: int) -> Any:
        self.offset = max(0, min(self.offset + delta * PAGE_SIZE, max(self.total - 1, 0)))
        return await self._fetch()


@template(route=routes.AUDIT, title="Audit log", on_load=AuditState.load)
def audit_page() -> rx.Component:
    return rx.vstack(
        rx.cond(AuditState.error != "", rx.callout(AuditState.error, icon="lock", color_scheme="orange")),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in ("When (UTC)", "Who", "What", "Target", "Details", "Correlation id")
                    ]
                )
            ),
            rx.table.body(
                rx.foreach(
                    AuditState.entries,
                    lambda e: rx.table.row(
                        rx.table.cell(e["when"]),
                        rx.table.cell(e["who"]),
                        rx.table.cell(e["what"], data_testid="audit-what"),
                        rx.table.cell(e["target"]),
                        rx.table.cell(e["details"]),
                        rx.table.cell(rx.code(e["correlation_id"], size="1")),
                    ),
                )
            ),
            width="100%",
        ),
        rx.hstack(
            rx.button("Newer", size="1", variant="soft", on_click=AuditState.page(-1), disabled=AuditState.offset == 0),
            rx.text(AuditState.total.to_string(), " entries", size="2"),
            rx.button(
                "Older",
                size="1",
                variant="soft",
                on_click=AuditState.page(1),
                disabled=AuditState.offset + PAGE_SIZE >= AuditState.total,
            ),
            spacing="3",
            align="center",
        ),
        width="100%",
        spacing="3",
    )
