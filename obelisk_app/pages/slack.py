"""`/integrations/slack`: connect the space to a Slack workspace for reviews (bot token and signing secret, or
Slack's install flow when the deployment has a Slack app), pick the review channel from the workspace's
channels (a text field when Slack will not list them), see the status, disconnect."""

from __future__ import annotations

import reflex as rx

from obelisk_app import routes, styles
from obelisk_app.layout import template
from obelisk_app.pages.slack_state import SlackReviewState, SlackState
from obelisk_app.states import AuthState


def _field(label: str, name: str, placeholder: str, kind: str = "text") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(name=name, placeholder=placeholder, type=kind, width="100%", data_testid=f"slack-{name}"),
        spacing="1",
        width="100%",
    )


def _connect_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _field("Bot token", "bot_token", "xoxb-...", "password"),
            _field("Signing secret", "signing_secret", "Basic Information → App Credentials", "password"),
            rx.text("Once connected, pick the review channel from the workspace's channels.", size="1"),
            rx.button("Connect Slack", type="submit", data_testid="slack-connect"),
            spacing="3",
            width="100%",
        ),
        on_submit=SlackState.connect,
        reset_on_submit=True,
        width="100%",
    )


def _install_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="channel", placeholder="#content-review", data_testid="slack-install-channel"),
            rx.button("Add to Slack", type="submit", variant="soft", data_testid="slack-install"),
            spacing="2",
        ),
        on_submit=SlackState.start_install,
        width="100%",
    )


def _refresh_button() -> rx.Component:
    return rx.icon_button(
        rx.icon("refresh-cw", size=14),
        on_click=SlackState.refresh_channels,
        variant="soft",
        title="Refresh the channel list",
        data_testid="slack-channels-refresh",
    )


def _typed_channel() -> rx.Component:
    """The fallback when the channels cannot be listed (or not all of them were)."""
    return rx.form(
        rx.hstack(
            rx.input(name="channel", placeholder="C0123ABC or #content-review", data_testid="slack-channel"),
            rx.button("Use this channel", type="submit", variant="soft", data_testid="slack-channel-save"),
            spacing="2",
        ),
        on_submit=SlackState.choose_typed_channel,
        reset_on_submit=True,
        width="100%",
    )


def _channel_picker() -> rx.Component:
    return rx.vstack(
        rx.text("Review channel", size="2", weight="medium"),
        rx.cond(
            SlackState.channels_error != "",
            rx.vstack(
                rx.callout(
                    SlackState.channels_error,
                    icon="info",
                    color_scheme="amber",
                    size="1",
                    data_testid="slack-channels-error",
                ),
                rx.hstack(_typed_channel(), _refresh_button(), spacing="2", width="100%"),
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(placeholder="Pick a channel", data_testid="slack-channel-select"),
                    rx.select.content(
                        rx.foreach(SlackState.channel_options, lambda c: rx.select.item(c["label"], value=c["id"]))
                    ),
                    value=SlackState.channel_id,
                    on_change=SlackState.choose_channel,
                ),
                _refresh_button(),
                spacing="2",
            ),
        ),
        rx.cond(
            ~SlackState.channels_complete & (SlackState.channels_error == ""),
            rx.vstack(
                rx.text("Not every channel is listed; give another one by id or #name.", size="1"),
                _typed_channel(),
                spacing="1",
                width="100%",
            ),
        ),
        rx.text(
            "The bot must be able to post there: it joins a public channel it is not in when it may; "
            "invite it to a private channel first (/invite).",
            size="1",
            color=rx.color("gray", 11),
        ),
        spacing="2",
        width="100%",
    )


def _status() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge("Connected", color_scheme="green"),
            rx.text("Workspace ", rx.text.strong(SlackState.team), size="2", data_testid="slack-team"),
            spacing="2",
        ),
        rx.cond(
            SlackState.channel != "",
            rx.text(
                "Reviews are posted in ", rx.code(SlackState.channel), size="2", data_testid="slack-review-channel"
            ),
            rx.text("No review channel yet.", size="2", data_testid="slack-review-channel"),
        ),
        rx.cond(AuthState.is_space_admin, _channel_picker()),
        rx.cond(
            AuthState.is_space_admin,
            rx.button(
                "Disconnect",
                color_scheme="red",
                variant="soft",
                on_click=SlackState.disconnect,
                data_testid="slack-disconnect",
            ),
        ),
        spacing="3",
        width="100%",
    )


@template(route=routes.SLACK, title="Slack", on_load=SlackState.load)
def slack_page() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Send content to a Slack channel for review: reviewers approve a version or request changes from "
            "Slack, and a revised version comes back in the thread.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.cond(SlackState.error != "", rx.callout(SlackState.error, icon="triangle-alert", color_scheme="red")),
        rx.vstack(
            rx.heading("Slack connection", size="4"),
            rx.cond(
                SlackState.connected,
                _status(),
                rx.cond(
                    AuthState.is_space_admin,
                    rx.vstack(
                        rx.badge("Not connected", color_scheme="gray"),
                        rx.cond(SlackState.oauth_available, _install_form()),
                        _connect_form(),
                        spacing="3",
                        width="100%",
                    ),
                    rx.text(
                        "Not connected. A space admin connects Slack.", size="2", data_testid="slack-not-connected"
                    ),
                ),
            ),
            style=styles.card,
            width="100%",
            max_width="36em",
        ),
        width="100%",
        spacing="4",
    )


def send_to_slack_button() -> rx.Component:
    """The content item page's "Send to Slack for review" button (editors; the service refuses the rest)."""
    return rx.button(
        rx.icon("message-square-share", size=14),
        "Send to Slack for review",
        on_click=SlackReviewState.send,
        variant="outline",
        data_testid="send-to-slack",
    )
