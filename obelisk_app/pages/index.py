"""`/`: signed-in visitors go to their space, others to sign in."""

import reflex as rx

from backend.core.errors import AppError
from obelisk_app import routes
from obelisk_app.states import AuthState


class IndexState(rx.State):
    @rx.event
    async def go(self) -> rx.event.EventSpec:
        auth = await self.get_state(AuthState)
        try:
            await auth.refresh_me()
        except AppError:
            return rx.redirect(routes.LOGIN)
        return rx.redirect(routes.HOME_SIGNED_IN)


@rx.page(route=routes.HOME, title="Obelisk", on_load=IndexState.go)
def index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="100vh")
