"""The item page's "Live page" card: the address a published item is live at (editors set or remove it) and
that page's GA4 figures since publication, or what to do when there are none (publish, link, connect GA4)."""

from __future__ import annotations

import reflex as rx

from obelisk_app import routes, styles
from obelisk_app.components.charts import line_chart
from obelisk_app.pages.content_performance_state import INTEGRATION_STATES
from obelisk_app.pages.content_performance_state import ContentPerformanceState as P
from obelisk_app.states import AuthState


def _stat(label: str, value: rx.Var[str], testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.text(value, size="5", weight="bold", data_testid=testid),
        spacing="0",
    )


def _address() -> rx.Component:
    shown = rx.cond(
        P.url != "",
        rx.link(P.url, href=P.url, is_external=True, size="2", data_testid="live-url"),
        rx.text("Not linked to an address yet.", size="2", color=rx.color("gray", 11)),
    )
    editor = rx.form(
        rx.hstack(
            rx.input(
                value=P.url_draft,
                on_change=P.set_url_draft,
                placeholder="https://example.com/blog/post",
                type="url",
                flex="1",
                data_testid="live-url-input",
            ),
            rx.button("Save address", type="submit", variant="soft", data_testid="live-url-save"),
            rx.cond(P.url != "", rx.button("Remove", type="button", variant="ghost", on_click=P.unlink)),
            width="100%",
        ),
        on_submit=lambda _: P.save_url(),
        width="100%",
    )
    return rx.vstack(shown, rx.cond(AuthState.current_role != "viewer", editor), spacing="2", width="100%")


def _figures() -> rx.Component:
    return rx.vstack(
        rx.text("Since ", P.since, " (GA4: sessions that started on this page)", size="1", color=rx.color("gray", 11)),
        rx.hstack(
            _stat("Sessions", P.sessions, "live-sessions"),
            _stat("Conversions", P.conversions, "live-conversions"),
            _stat("Sessions a day", P.per_day, "live-per-day"),
            _stat("Engagement", P.engagement, "live-engagement"),
            spacing="5",
            wrap="wrap",
        ),
        line_chart(
            P.days, "date", [("sessions", "Sessions"), ("conversions", "Conversions")], testid="chart-live", height=200
        ),
        spacing="2",
        width="100%",
    )


def _message() -> rx.Component:
    return rx.vstack(
        rx.callout(
            P.perf_message,
            icon="info",
            color_scheme=rx.cond(P.perf_state == "needs_reconnect", "orange", "gray"),
            width="100%",
            data_testid="live-message",
        ),
        rx.cond(
            rx.Var.create(list(INTEGRATION_STATES)).contains(P.perf_state),  # type: ignore[attr-defined]
            rx.link("Open Integrations", href=routes.INTEGRATIONS, size="2"),
        ),
        spacing="2",
        width="100%",
    )


def live_page_card() -> rx.Component:
    """Shown once the item has been published."""
    return rx.cond(
        P.published,
        rx.vstack(
            rx.heading("Live page", size="4"),
            rx.cond(P.error != "", rx.text(P.error, size="2", color=rx.color("red", 11))),
            _address(),
            rx.cond(P.perf_state == "ok", _figures(), rx.cond(P.perf_state != "", _message())),
            spacing="3",
            width="100%",
            data_testid="live-page",
            style=styles.card,
        ),
    )


__all__ = ["live_page_card"]
