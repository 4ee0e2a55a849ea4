"""`/integrations`: the services a space is connected to. Today GA4: connect, pick a property, reconnect when
Google drops the grant, disconnect."""

from __future__ import annotations

import reflex as rx

from obelisk_app import routes, styles
from obelisk_app.components.confirm import confirm_icon_button
from obelisk_app.layout import template
from obelisk_app.pages.integrations_state import IntegrationsState, PropertyRow
from obelisk_app.states import AuthState

S = IntegrationsState


def _status_badge() -> rx.Component:
    return rx.cond(
        S.needs_reconnect,
        rx.badge("Reconnect needed", color_scheme="orange", data_testid="ga4-status"),
        rx.cond(
            S.connected,
            rx.badge("Connected", color_scheme="green", data_testid="ga4-status"),
            rx.badge("Not connected", color_scheme="gray", data_testid="ga4-status"),
        ),
    )


def _reconnect_prompt() -> rx.Component:
    return rx.callout(
        rx.vstack(
            rx.text(S.message, size="2"),
            rx.cond(
                AuthState.is_space_admin,
                rx.button("Reconnect GA4", on_click=S.connect, color_scheme="orange", data_testid="ga4-reconnect"),
                rx.text("Ask an admin of this space to reconnect it.", size="2"),
            ),
            spacing="2",
        ),
        icon="triangle-alert",
        color_scheme="orange",
        data_testid="ga4-reconnect-prompt",
        width="100%",
    )


def _property_option(row: PropertyRow) -> rx.Component:
    return rx.select.item(row["name"] + " · " + row["account"] + " (" + row["id"] + ")", value=row["id"])


def _property_picker() -> rx.Component:
    return rx.vstack(
        rx.text("Property this space reads", size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(placeholder="Pick a GA4 property", data_testid="ga4-property-picker"),
            rx.select.content(rx.foreach(S.properties, _property_option)),
            value=S.property_id,
            on_change=S.choose_property,
        ),
        rx.cond(
            S.properties.length() == 0,
            rx.text("The connected Google account can read no GA4 property.", size="1", color=rx.color("gray", 10)),
        ),
        spacing="1",
        width="100%",
    )


def _disconnect_button() -> rx.Component:
    return confirm_icon_button(
        icon="unplug",
        label="Disconnect GA4",
        title="Disconnect GA4?",
        description=[
            "The space's Google tokens are deleted and revoked at Google. Agents and the dashboard stop "
            "reading GA4 until someone connects it again."
        ],
        confirm="Disconnect",
        on_confirm=S.disconnect,
    )


def _admin_actions() -> rx.Component:
    return rx.cond(
        S.connected,
        rx.hstack(
            rx.cond(~S.needs_reconnect, _property_picker()),
            _disconnect_button(),
            align="end",
            justify="between",
            spacing="3",
            width="100%",
        ),
        rx.cond(
            S.configured,
            rx.button("Connect GA4", on_click=S.connect, data_testid="ga4-connect"),
            rx.text(
                "This server has no Google OAuth client: set GOOGLE_OAUTH_CLIENT_ID and GOOGLE_OAUTH_CLIENT_SECRET.",
                size="2",
            ),
        ),
    )


def _ga4_card() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon("chart-line"), rx.heading("Google Analytics 4", size="4"), _status_badge(), align="center"),
        rx.text(
            "Agents use the site's landing pages and site searches; the dashboard shows sessions and conversions. "
            "Access is read-only.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.cond(S.notice != "", rx.callout(S.notice, icon="info", data_testid="ga4-notice", width="100%")),
        rx.cond(S.error != "", rx.callout(S.error, icon="triangle-alert", color_scheme="red", width="100%")),
        rx.cond(S.needs_reconnect, _reconnect_prompt()),
        rx.cond(
            S.connected & ~S.needs_reconnect,
            rx.text(
                rx.cond(S.property_name != "", "Reading " + S.property_name + " (" + S.property_id + ").", S.message),
                size="2",
                data_testid="ga4-property",
            ),
        ),
        rx.cond(
            AuthState.is_space_admin,
            _admin_actions(),
            rx.text("Only space admins connect or change GA4.", size="2", color=rx.color("gray", 10)),
        ),
        spacing="3",
        style=styles.card,
        width="100%",
        max_width="42rem",
        data_testid="ga4-card",
    )


def _slack_card() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon("message-square-share"), rx.heading("Slack", size="4"), align="center"),
        rx.text(
            "Send drafts to a Slack channel for review: reviewers approve or request changes from the message, "
            "and the agent posts its revision in the thread.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.link(
            rx.button("Set up Slack reviews", variant="soft"),
            href=routes.SLACK,
            data_testid="integrations-slack",
        ),
        spacing="3",
        style=styles.card,
        width="100%",
        max_width="42rem",
        data_testid="slack-card",
    )


@template(route=routes.INTEGRATIONS, title="Integrations", on_load=IntegrationsState.load)
def integrations_page() -> rx.Component:
    return rx.vstack(_ga4_card(), _slack_card(), spacing="4", width="100%")
