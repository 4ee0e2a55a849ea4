"""An icon button that asks before it does something that cannot be undone."""

from __future__ import annotations

from typing import Any

import reflex as rx


def confirm_icon_button(
    *, icon: str, label: str, title: str, description: list[Any], confirm: str, on_confirm: Any
) -> rx.Component:
    """A small red icon button; `on_confirm` runs only after the person confirms in a dialog."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.icon_button(rx.icon(icon, size=14), size="1", variant="soft", color_scheme="red", aria_label=label)
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(*description),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(confirm, color_scheme="red", on_click=on_confirm)),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
        ),
    )
