"""`/content/<id>`: one item: a version with its voice score, flags (with one-click fixes), grounding and
channel previews; edit it as a new version; the diff against any earlier version; review actions; history
and comments; once published, its live address and that page's GA4 figures."""

from __future__ import annotations

import reflex as rx

from obelisk_app import routes, styles
from obelisk_app.layout import template
from obelisk_app.pages.content import state_badge
from obelisk_app.pages.content_item_state import ContentItemState as S
from obelisk_app.pages.content_performance import live_page_card
from obelisk_app.pages.content_performance_state import ContentPerformanceState
from obelisk_app.pages.content_rows import (
    ClaimRow,
    CommentRow,
    FlagRow,
    PreviewRow,
    SubScoreRow,
    TransitionRow,
    VersionRow,
)
from obelisk_app.pages.slack import send_to_slack_button
from obelisk_app.states import AuthState

_MUTED = rx.color("gray", 10)


def _sub_score(s: rx.Var[SubScoreRow]) -> rx.Component:
    return rx.hstack(
        rx.text(s["name"], size="2", weight="medium", width="9rem"),
        rx.badge(s["score"], variant="soft"),
        rx.text(s["detail"], size="1", color=_MUTED),
        align="center",
        spacing="2",
    )


def _flag(f: rx.Var[FlagRow]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge(f["rule"], color_scheme=rx.match(f["severity"], ("high", "red"), ("medium", "orange"), "gray")),
            rx.text(f["message"], size="2", weight="medium"),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        rx.cond(f["excerpt"] != "", rx.text("“", f["excerpt"], "”", size="1", color=_MUTED)),
        rx.text("Rule from: ", f["source"], size="1", color=_MUTED, data_testid="flag-source"),
        rx.hstack(
            rx.text("Fix: ", f["fix"], size="2"),
            rx.cond(
                f["can_apply"] & (AuthState.current_role != "viewer"),
                rx.button(
                    rx.icon("wand-sparkles", size=12),
                    "Apply fix",
                    size="1",
                    variant="soft",
                    on_click=S.apply_fix(f["index"]),
                    data_testid="apply-fix",
                ),
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        spacing="1",
        width="100%",
        padding_y="0.4rem",
        border_top="1px solid var(--gray-a4)",
        data_testid="voice-flag",
    )


def _claim(c: rx.Var[ClaimRow]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.cond(
                c["supported"],
                rx.badge("supported", color_scheme="green"),
                rx.badge("unsupported", color_scheme="red"),
            ),
            rx.text(c["text"], size="2"),
            align="center",
            spacing="2",
            wrap="wrap",
            data_testid="claim",
        ),
        rx.cond(
            c["supported"],
            rx.text(
                "Source: ",
                c["source_label"],
                " — ",
                c["source_excerpt"],
                size="1",
                color=_MUTED,
                data_testid="claim-source",
            ),
            rx.text("No passage in this space's documents supports it.", size="1", color=_MUTED),
        ),
        spacing="1",
        width="100%",
    )


def _preview(p: rx.Var[PreviewRow]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(p["label"], size="2", weight="medium"),
            rx.badge(p["status"], color_scheme=rx.cond(p["truncated"], "orange", "green"), variant="soft"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(p["shown"], size="2", font_family="var(--default-font-family)", data_testid="preview-shown"),
        spacing="1",
        width="100%",
        data_testid="preview",
    )


def _scores() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Brand voice", size="4"),
            rx.badge(S.voice_score, " / 100", size="3", data_testid="voice-score"),
            align="center",
            spacing="2",
        ),
        rx.foreach(S.sub_scores, _sub_score),
        rx.foreach(S.flags, _flag),
        rx.cond(S.flags.length() == 0, rx.text("No flags.", size="2", color=_MUTED)),
        rx.heading("Grounding", size="4", margin_top="0.5rem"),
        rx.foreach(S.claims, _claim),
        rx.cond(S.claims.length() == 0, rx.text("No factual or numeric claims.", size="2", color=_MUTED)),
        rx.heading("Channel previews", size="4", margin_top="0.5rem"),
        rx.foreach(S.previews, _preview),
        spacing="2",
        width="100%",
        style=styles.card,
    )


def _editor() -> rx.Component:
    return rx.cond(
        AuthState.current_role != "viewer",
        rx.vstack(
            rx.heading("Edit", size="4"),
            rx.text_area(value=S.draft, on_change=S.set_draft, rows="10", width="100%", data_testid="content-editor"),
            rx.button(
                rx.icon("save", size=14), "Save as new version", on_click=S.save_version, data_testid="save-version"
            ),
            spacing="2",
            width="100%",
            style=styles.card,
        ),
    )


def _diff() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Changes", size="4"),
            rx.text("from version", size="2"),
            rx.select.root(
                rx.select.trigger(placeholder="none", data_testid="diff-from"),
                rx.select.content(rx.foreach(S.versions, lambda v: rx.select.item(v["number"], value=v["number"]))),
                value=S.compare_with,
                on_change=S.set_compare,
            ),
            rx.text("to version ", S.viewing, size="2"),
            align="center",
            spacing="2",
        ),
        rx.box(
            rx.foreach(
                S.diff,
                lambda d: rx.match(
                    d["kind"],
                    ("insert", rx.text.span(d["text"], background=rx.color("green", 4), data_testid="diff-insert")),
                    (
                        "delete",
                        rx.text.span(
                            d["text"],
                            background=rx.color("red", 4),
                            text_decoration="line-through",
                            data_testid="diff-delete",
                        ),
                    ),
                    rx.text.span(d["text"]),
                ),
            ),
            white_space="pre-wrap",
            font_size="0.9rem",
            width="100%",
        ),
        rx.cond(S.diff.length() == 0, rx.text("Pick an earlier version to compare.", size="2", color=_MUTED)),
        spacing="2",
        width="100%",
        style=styles.card,
    )


def _review() -> rx.Component:
    return rx.cond(
        AuthState.current_role != "viewer",
        rx.vstack(
            rx.heading("Review", size="4"),
            rx.input(
                value=S.note,
                on_change=S.set_note,
                placeholder="Note (required to request changes)",
                width="100%",
                data_testid="review-note",
            ),
            rx.cond(
                S.unsupported > 0,
                rx.hstack(
                    rx.checkbox(checked=S.override, on_change=S.set_override, data_testid="review-override"),
                    rx.text("Approve with unsupported claims (write why in the note)", size="2"),
                    spacing="2",
                ),
            ),
            rx.hstack(
                rx.foreach(
                    S.actions,
                    lambda a: rx.button(
                        a["label"],
                        on_click=S.transition(a["action"]),
                        variant="soft",
                        data_testid="action-" + a["action"],
                    ),
                ),
                send_to_slack_button(),
                spacing="2",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
            style=styles.card,
        ),
    )


def _history() -> rx.Component:
    def version(v: rx.Var[VersionRow]) -> rx.Component:
        return rx.hstack(
            rx.link(v["label"], on_click=S.view_version(v["number"]), size="2", data_testid="version-link"),
            rx.badge("voice ", v["voice_score"], variant="soft", size="1"),
            rx.text(v["hash_short"], size="1", color=_MUTED, font_family="monospace"),
            rx.text(v["note"], size="1", color=_MUTED),
            spacing="2",
            align="center",
            wrap="wrap",
        )

    def transition(t: rx.Var[TransitionRow]) -> rx.Component:
        return rx.vstack(
            rx.text(
                t["when"],
                " · ",
                t["label"],
                " by ",
                t["actor"],
                " (version ",
                t["version"].to_string(),
                ") · ",
                t["change"],
                size="2",
                data_testid="transition",
            ),
            rx.cond(t["override"], rx.badge("override", color_scheme="orange", size="1")),
            rx.cond(t["note"] != "", rx.text("“", t["note"], "”", size="1", color=_MUTED)),
            spacing="0",
        )

    return rx.vstack(
        rx.heading("Versions", size="4"),
        rx.foreach(S.versions, version),
        rx.heading("History", size="4", margin_top="0.5rem"),
        rx.foreach(S.transitions, transition),
        rx.cond(S.transitions.length() == 0, rx.text("Not yet sent for review.", size="2", color=_MUTED)),
        spacing="2",
        width="100%",
        style=styles.card,
    )


def _comments() -> rx.Component:
    def comment(c: rx.Var[CommentRow]) -> rx.Component:
        return rx.vstack(
            rx.text(c["author"], " · ", c["when"], " ", c["on_version"], size="1", color=_MUTED),
            rx.text(c["body"], size="2", white_space="pre-wrap", data_testid="comment"),
            spacing="0",
        )

    return rx.vstack(
        rx.heading("Comments", size="4"),
        rx.foreach(S.comments, comment),
        rx.cond(
            AuthState.current_role != "viewer",
            rx.form(
                rx.hstack(
                    rx.input(value=S.comment, on_change=S.set_comment, placeholder="Add a comment", flex="1"),
                    rx.button("Comment", type="submit"),
                    width="100%",
                ),
                on_submit=lambda _: S.add_comment(),
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
        style=styles.card,
    )


def _header() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Content"), spacing="1", align="center"),
            href=routes.CONTENT,
            size="2",
        ),
        rx.cond(
            S.error != "", rx.callout(S.error, icon="triangle-alert", color_scheme="red", data_testid="item-error")
        ),
        rx.heading(S.title, size="6", data_testid="content-heading"),
        rx.hstack(
            rx.badge(S.type_label),
            state_badge(S.state, S.state_label),
            rx.text(
                "Showing version ",
                S.viewing,
                " of ",
                S.current_version.to_string(),
                size="2",
                data_testid="content-viewing",
            ),
            rx.spacer(),
            rx.button("Audit pack (Markdown)", size="1", variant="soft", on_click=S.download_audit("markdown")),
            rx.button("Audit pack (JSON)", size="1", variant="soft", on_click=S.download_audit("json")),
            width="100%",
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )


@template(route=routes.CONTENT_ITEM, title="Content item", on_load=[S.load, ContentPerformanceState.load])
def content_item_page() -> rx.Component:
    return rx.vstack(
        _header(),
        rx.box(
            rx.text(S.body, white_space="pre-wrap", size="3", data_testid="content-body"),
            style=styles.card,
            width="100%",
        ),
        rx.grid(
            rx.vstack(_scores(), _diff(), spacing="3", width="100%"),
            rx.vstack(live_page_card(), _editor(), _review(), _history(), _comments(), spacing="3", width="100%"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


__all__ = ["content_item_page"]
