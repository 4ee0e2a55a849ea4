"""The app shell: sidebar navigation, header with theme switch, responsive (drawer on small screens)."""

from __future__ import annotations

import reflex as rx

from obelisk_app import routes, styles
from obelisk_app.states import AuthState


def _nav_link(item: routes.NavItem) -> rx.Component:
    active = rx.State.router.url.path == item.route
    link = rx.link(
        rx.hstack(
            rx.icon(item.icon, size=18),
            rx.text(item.label, size="3"),
            align="center",
            spacing="3",
            padding_x="0.75rem",
            padding_y="0.5rem",
            border_radius="var(--radius-2)",
            background=rx.cond(active, rx.color("accent", 4), "transparent"),
            color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
            _hover={"background": rx.color("accent", 3)},
            width="100%",
        ),
        href=item.route,
        underline="none",
        width="100%",
        data_testid=f"nav-{item.label.lower().replace(' ', '-')}",
    )
    return rx.cond(AuthState.is_org_admin, link) if item.org_admin_only else link


def _brand() -> rx.Component:
    return rx.hstack(
        rx.icon("gem", size=22, color=rx.color("accent", 10)),
        rx.heading("Obelisk", size="5", weight="bold"),
        align="center",
        spacing="2",
    )


def space_switcher() -> rx.Component:
    """The spaces the user belongs to; switching re-resolves the space on the server."""
    return rx.cond(
        AuthState.signed_in,
        rx.vstack(
            rx.text("Space", size="1", color=rx.color("gray", 10)),
            rx.select.root(
                rx.select.trigger(width="100%", data_testid="space-switcher"),
                rx.select.content(
                    rx.foreach(
                        AuthState.spaces,
                        lambda s: rx.select.item(s["name"], value=s["id"], data_testid="space-option"),
                    )
                ),
                value=AuthState.space_id,
                on_change=AuthState.switch_space,
            ),
            spacing="1",
            width="100%",
        ),
    )


def user_menu() -> rx.Component:
    return rx.cond(
        AuthState.signed_in,
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("circle-user", size=16), AuthState.user_name, variant="ghost", data_testid="user-menu"
                )
            ),
            rx.menu.content(
                rx.box(
                    rx.text(AuthState.user_email, size="2", weight="medium"),
                    rx.text(
                        AuthState.organization_name, " · ", AuthState.org_role, size="1", color=rx.color("gray", 11)
                    ),
                    padding_x="0.5rem",
                    padding_y="0.25rem",
                ),
                rx.menu.separator(),
                rx.menu.item("Sign out", on_click=AuthState.logout, data_testid="sign-out"),
            ),
        ),
    )


def verification_banner() -> rx.Component:
    """Asks a signed-in user whose address is not confirmed (on a server that can mail) to confirm it.

    Unconfirmed, the address is not safely theirs: an invitation mailed to it hands it to whoever opens it.
    """
    return rx.cond(
        AuthState.email_unconfirmed,
        rx.callout.root(
            rx.callout.icon(rx.icon("mail-warning")),
            rx.callout.text(
                "Confirm your e-mail address with the link we sent to ",
                rx.text.strong(AuthState.user_email),
                ". ",
                rx.link(
                    "Send a new link",
                    on_click=AuthState.resend_verification,
                    cursor="pointer",
                    data_testid="resend-verification",
                ),
                rx.cond(AuthState.verification_note != "", rx.text(" ", AuthState.verification_note, as_="span")),
            ),
            color_scheme="amber",
            size="1",
            width="100%",
            margin_bottom="1rem",
            data_testid="verification-banner",
        ),
    )


def nav_links() -> rx.Component:
    return rx.vstack(*[_nav_link(item) for item in routes.NAV], spacing="1", width="100%")


def sidebar(extra: rx.Component | None = None) -> rx.Component:
    """The desktop sidebar: its background runs the page's whole height, its links stay in view as it scrolls.

    A sticky element sticks only within its parent. The sidebar used to be sticky inside `desktop_only`'s
    wrapper, which was exactly one screen tall, so on a long page the sidebar and its background scrolled away
    after one screen. Now the wrapper stretches to the page's height and carries the background, and the
    links inside it are the sticky part.
    """
    return rx.desktop_only(
        rx.vstack(
            _brand(),
            rx.divider(),
            space_switcher(),
            extra if extra is not None else rx.fragment(),
            nav_links(),
            spacing="4",
            padding="1rem",
            width="100%",
            max_height="100vh",
            overflow_y="auto",
            position="sticky",
            top="0",
        ),
        width=styles.SIDEBAR_WIDTH,
        flex_shrink="0",
        align_self="stretch",
        min_height="100vh",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        data_testid="sidebar",
    )


def mobile_menu(extra: rx.Component | None = None) -> rx.Component:
    return rx.mobile_and_tablet(
        rx.drawer.root(
            rx.drawer.trigger(rx.icon_button(rx.icon("menu"), variant="ghost", aria_label="Open navigation")),
            rx.drawer.overlay(),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.vstack(
                        rx.hstack(
                            _brand(), rx.spacer(), rx.drawer.close(rx.icon_button(rx.icon("x"), variant="ghost"))
                        ),
                        space_switcher(),
                        extra if extra is not None else rx.fragment(),
                        nav_links(),
                        spacing="4",
                        padding="1rem",
                    ),
                    width="16rem",
                    height="100%",
                    background=rx.color("gray", 1),
                )
            ),
            direction="left",
        )
    )


def header(title: str, actions: rx.Component | None = None, menu_extra: rx.Component | None = None) -> rx.Component:
    return rx.hstack(
        mobile_menu(menu_extra),
        rx.heading(title, size="6"),
        rx.spacer(),
        actions if actions is not None else rx.fragment(),
        user_menu(),
        rx.color_mode.button(aria_label="Toggle light and dark theme"),
        align="center",
        spacing="3",
        padding_x="1.5rem",
        padding_y="0.75rem",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        width="100%",
    )
