"""`/chat` and `/chat/<conversation id>`: talk to an agent; the answer streams in, with its steps and sources."""

from __future__ import annotations

import reflex as rx

from backend.content.schemas import TYPE_LABELS
from obelisk_app import routes, styles
from obelisk_app.components.chat import citations_panel, message_view, step_line, user_bubble
from obelisk_app.layout import template
from obelisk_app.pages.chat_rows import AGENT_LABELS, ConversationRow, DocumentOption, MessageRow
from obelisk_app.pages.chat_state import ChatState


def _conversation_item(c: rx.Var[ConversationRow]) -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.vstack(
                rx.text(c["title"], size="2", weight="medium", trim="both"),
                rx.text(c["agent_label"], " · ", c["messages"], " messages", size="1", color=rx.color("gray", 10)),
                spacing="0",
            ),
            href="/chat/" + c["id"],
            underline="none",
            color_scheme="gray",
            high_contrast=True,
            data_testid="conversation-link",
        ),
        rx.spacer(),
        rx.icon_button(
            rx.icon("trash-2", size=14),
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=ChatState.delete(c["id"]),
            aria_label="Delete conversation",
            data_testid="delete-conversation",
        ),
        width="100%",
        align="center",
    )


def _message(m: rx.Var[MessageRow]) -> rx.Component:
    return message_view(
        m, save=ChatState.save_as_content, retry=ChatState.retry, resume=ChatState.resume, types=TYPE_LABELS
    )


def _sidebar() -> rx.Component:
    return rx.vstack(
        rx.select.root(
            rx.select.trigger(width="100%", data_testid="agent-picker"),
            rx.select.content(*[rx.select.item(label, value=key) for key, label in AGENT_LABELS.items()]),
            value=ChatState.agent,
            on_change=ChatState.set_agent,
        ),
        rx.button(
            rx.icon("plus", size=16),
            "New conversation",
            width="100%",
            on_click=ChatState.new_conversation,
            data_testid="new-conversation",
        ),
        rx.divider(),
        rx.foreach(ChatState.conversations, _conversation_item),
        spacing="2",
        width="100%",
    )


def _header() -> rx.Component:
    return rx.cond(
        ChatState.renaming,
        rx.hstack(
            rx.input(
                value=ChatState.rename_value,
                on_change=ChatState.set_rename_value,
                width="100%",
                data_testid="rename-input",
            ),
            rx.button("Save", on_click=ChatState.save_rename, data_testid="rename-save"),
            width="100%",
        ),
        rx.hstack(
            rx.heading(
                rx.cond(ChatState.title != "", ChatState.title, "New conversation"),
                size="4",
                data_testid="conversation-title",
            ),
            rx.cond(ChatState.agent_label != "", rx.badge(ChatState.agent_label, " agent")),
            rx.spacer(),
            rx.cond(
                ChatState.title != "",
                rx.button("Rename", size="1", variant="soft", on_click=ChatState.start_rename, data_testid="rename"),
            ),
            width="100%",
            align="center",
        ),
    )


def _live() -> rx.Component:
    streaming = (ChatState.run_status == "queued") | (ChatState.run_status == "running")
    return rx.cond(
        ChatState.run_id != "",
        rx.vstack(
            user_bubble(ChatState.run_message),
            rx.vstack(rx.foreach(ChatState.steps, step_line), spacing="0", width="100%", data_testid="run-steps"),
            rx.text(ChatState.run_text, size="2", white_space="pre-wrap", width="100%", data_testid="live-answer"),
            rx.hstack(
                rx.badge(ChatState.run_status, variant="soft", data_testid="run-status"),
                rx.cond(ChatState.run_stop != "", rx.badge(ChatState.run_stop, color_scheme="amber")),
                rx.cond(streaming, rx.spinner(size="1")),
                rx.spacer(),
                rx.cond(
                    streaming,
                    rx.button(
                        rx.icon("square", size=14),
                        "Stop",
                        size="1",
                        color_scheme="red",
                        variant="soft",
                        on_click=ChatState.stop,
                        data_testid="stop",
                    ),
                ),
                width="100%",
                align="center",
            ),
            width="100%",
            spacing="2",
            data_testid="live-run",
        ),
    )


def _mention_chip(d: rx.Var[DocumentOption]) -> rx.Component:
    return rx.badge(
        "@",
        d["title"],
        rx.icon("x", size=12, cursor="pointer", on_click=ChatState.unmention(d["id"])),
        variant="soft",
        data_testid="mention",
    )


def _composer() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.foreach(ChatState.mentioned, _mention_chip),
            rx.cond(
                ChatState.options.length() > 0,
                rx.select.root(
                    rx.select.trigger(placeholder="@ Mention a document", data_testid="mention-picker"),
                    rx.select.content(
                        rx.foreach(ChatState.options, lambda d: rx.select.item(d["title"], value=d["id"]))
                    ),
                    value="",
                    on_change=ChatState.mention,
                    size="1",
                ),
            ),
            wrap="wrap",
            spacing="2",
            align="center",
        ),
        rx.text_area(
            value=ChatState.draft,
            on_change=ChatState.set_draft,
            placeholder="Ask the agent…",
            rows="3",
            width="100%",
            data_testid="message-input",
        ),
        rx.hstack(
            rx.cond(
                ChatState.error != "",
                rx.text(ChatState.error, size="2", color=rx.color("red", 11), data_testid="chat-error"),
            ),
            rx.spacer(),
            rx.button(rx.icon("send", size=16), "Send", on_click=ChatState.send, data_testid="send"),
            width="100%",
            align="center",
        ),
        width="100%",
        spacing="2",
    )


def chat_page() -> rx.Component:
    return rx.grid(
        rx.box(_sidebar(), style=styles.card),
        rx.vstack(
            _header(),
            rx.cond(
                ChatState.more, rx.button("Earlier messages", size="1", variant="ghost", on_click=ChatState.earlier)
            ),
            rx.vstack(rx.foreach(ChatState.messages, _message), width="100%", spacing="3", data_testid="messages"),
            _live(),
            _composer(),
            width="100%",
            spacing="4",
        ),
        rx.box(citations_panel(ChatState.citations), style=styles.card),
        columns="16rem minmax(0, 1fr) 16rem",
        spacing="4",
        width="100%",
        align_items="start",
    )


template(route=routes.CHAT, title="Chat", on_load=ChatState.load)(chat_page)
template(route=routes.CHAT_CONVERSATION, title="Chat", on_load=ChatState.load)(chat_page)
