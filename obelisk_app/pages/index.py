"""`/`: signed-in visitors go to their space, others to sign in."""

import reflex as rx

from backend.core.errors import AppError
from obelisk_app import routes
from obelisk_app.states import AuthState
from obelisk_app.states.log_scope import event_scope


class IndexState(rx.State):
    @rx.event
    async def go(self) -> rx.event.EventSpec:
        auth = await self.get_state(AuthState)
        with event_scope():
            try:
                await auth._refresh_me()
            except AppError:
                return rx.redirect(routes.LOGIN)
            return rx.redirect(routes.HOME_SIGNED_IN)


@rx.page(route=routes.HOME, title="Obelisk", on_load=IndexState.go)
def index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="100vh")
