"""`@template(...)`: registers a page and wraps it in the shell, so a page module only lays out content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from obelisk_app import styles
from obelisk_app.layout.shell import header, sidebar, verification_banner
from obelisk_app.states import AuthState

PageFn = Callable[[], rx.Component]


def template(
    *,
    route: str,
    title: str,
    on_load: Any = None,
    shell: bool = True,
    public: bool = False,
) -> Callable[[PageFn], PageFn]:
    """Register `route`; with `shell`, the content sits beside the sidebar under a header.

    Unless `public`, the page first checks the visitor is signed in (else it sends them to sign in) and
    loads their spaces, then runs the page's own `on_load`.
    """
    handlers: list[Any] = [] if public else [AuthState.require_login]
    if on_load is not None:
        handlers.extend(on_load if isinstance(on_load, list) else [on_load])

    def decorator(page: PageFn) -> PageFn:
        def wrapped() -> rx.Component:
            if not shell:
                return page()
            return rx.hstack(
                sidebar(),
                rx.vstack(
                    header(title),
                    rx.box(
                        verification_banner(),
                        page(),
                        padding="1.5rem",
                        width="100%",
                        max_width=styles.CONTENT_MAX_WIDTH,
                    ),
                    spacing="0",
                    width="100%",
                    min_height="100vh",
                ),
                spacing="0",
                width="100%",
                align="start",
            )

        wrapped.__name__ = page.__name__
        rx.page(route=route, title=f"{title} · Obelisk", on_load=handlers or None)(wrapped)
        return wrapped

    return decorator
