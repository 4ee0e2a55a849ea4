"""`/members`: who is in the current space; space admins invite, re-role and remove people."""

from __future__ import annotations

import reflex as rx

from obelisk_app import routes, styles
from obelisk_app.components.confirm import confirm_icon_button
from obelisk_app.layout import template
from obelisk_app.pages.members_state import ROLES, MemberRow, MembersState
from obelisk_app.states import AuthState


def _member_row(member: rx.Var[MemberRow]) -> rx.Component:
    admin_controls = rx.hstack(
        rx.select(
            ROLES,
            value=member["role"],
            on_change=lambda role: MembersState.change_role(member["user_id"], role),
            size="1",
            data_testid="member-role",
        ),
        confirm_icon_button(
            icon="user-minus",
            label="Remove member",
            title="Remove this member?",
            description=[member["email"], " loses access to this space at once."],
            confirm="Remove",
            on_confirm=MembersState.remove(member["user_id"]),
        ),
        spacing="2",
    )
    return rx.table.row(
        rx.table.cell(member["name"]),
        rx.table.cell(member["email"], data_testid="member-email"),
        rx.table.cell(rx.cond(AuthState.is_space_admin, admin_controls, rx.badge(member["role"]))),
    )


def _invite_form() -> rx.Component:
    return rx.vstack(
        rx.heading("Invite someone", size="4"),
        rx.form(
            rx.hstack(
                rx.input(
                    name="email",
                    type="email",
                    placeholder="colleague@company.com",
                    required=True,
                    flex="1",
                    min_width="14rem",
                    data_testid="invite-email-input",
                ),
                rx.select(
                    ROLES,
                    value=MembersState.invite_role,
                    on_change=MembersState.set_invite_role,
                    data_testid="invite-role",
                ),
                rx.button(rx.icon("send", size=14), "Invite", type="submit", data_testid="invite-button"),
                spacing="2",
                width="100%",
                wrap="wrap",
            ),
            on_submit=MembersState.invite,
            reset_on_submit=True,
            width="100%",
        ),
        rx.cond(MembersState.invite_note != "", rx.text(MembersState.invite_note, size="2")),
        rx.cond(
            MembersState.invite_link != "",
            rx.hstack(
                rx.code(MembersState.invite_link, data_testid="invite-link", word_break="break-all"),
                rx.icon_button(
                    rx.icon("copy", size=14),
                    size="1",
                    variant="soft",
                    aria_label="Copy link",
                    on_click=[rx.set_clipboard(MembersState.invite_link), rx.toast("Link copied")],
                ),
                align="center",
                spacing="2",
                width="100%",
            ),
        ),
        rx.cond(
            MembersState.invitations.length() > 0,
            rx.vstack(
                rx.text("Pending invitations", weight="medium", size="2"),
                rx.foreach(
                    MembersState.invitations,
                    lambda inv: rx.hstack(
                        rx.text(inv["email"], size="2"),
                        rx.badge(inv["role"]),
                        rx.spacer(),
                        rx.button(
                            "Withdraw",
                            size="1",
                            variant="ghost",
                            color_scheme="red",
                            on_click=MembersState.revoke_invitation(inv["id"]),
                        ),
                        width="100%",
                        align="center",
                    ),
                ),
                width="100%",
                spacing="1",
            ),
        ),
        spacing="3",
        width="100%",
        style=styles.card,
    )


@template(route=routes.MEMBERS, title="Members", on_load=MembersState.load)
def members_page() -> rx.Component:
    return rx.vstack(
        rx.text(
            "People in ",
            rx.text.strong(AuthState.current_space_name),
            ". Your role: ",
            rx.badge(AuthState.current_role, data_testid="my-role"),
            size="2",
        ),
        rx.cond(MembersState.error != "", rx.callout(MembersState.error, icon="triangle-alert", color_scheme="red")),
        rx.cond(AuthState.is_space_admin, _invite_form()),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Name"),
                    rx.table.column_header_cell("Email"),
                    rx.table.column_header_cell("Role"),
                )
            ),
            rx.table.body(rx.foreach(MembersState.members, _member_row)),
            width="100%",
            data_testid="members-table",
        ),
        spacing="4",
        width="100%",
    )
