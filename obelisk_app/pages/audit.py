"""`/audit`: the organization's administrative actions, for organization admins."""

from __future__ import annotations

import reflex as rx

from obelisk_app import routes
from obelisk_app.layout import template
from obelisk_app.pages.audit_state import PAGE_SIZE, AuditState


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
