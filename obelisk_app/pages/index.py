"""`/`: sends the visitor where they can start."""

import reflex as rx

from obelisk_app import routes


class IndexState(rx.State):
    @rx.event
    def go(self) -> rx.event.EventSpec:
        return rx.redirect(routes.STATUS)


@rx.page(route=routes.HOME, title="Obelisk", on_load=IndexState.go)
def index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="100vh")
