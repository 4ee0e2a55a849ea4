"""`AuthState`: the signed-in user, their spaces and the current space.

The access token lives in the browser's local storage so a reload or a second tab stays signed in. The
browser can send any value with any event, so nothing here is trusted: every handler that touches data
asks `principal()` / `space_context()`, which verify the token and resolve the space on the server.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import reflex as rx

from backend.core.errors import AppError, Unauthorized
from backend.core.logging import space_id_var, user_id_var
from backend.tenancy import accounts
from backend.tenancy.access import authenticate, resolve_space_context
from backend.tenancy.context import Principal, SpaceContext
from obelisk_app import routes

logger = logging.getLogger(__name__)


class AuthState(rx.State):
    access_token: str = rx.LocalStorage("", name="obelisk_token", sync=True)
    space_id: str = rx.LocalStorage("", name="obelisk_space", sync=True)
    user_name: str = ""
    user_email: str = ""
    organization_name: str = ""
    org_role: str = ""
    spaces: list[dict[str, str]] = []
    signed_in: bool = False

    @rx.var
    def current_space_name(self) -> str:
        return next((s["name"] for s in self.spaces if s["id"] == self.space_id), "")

    @rx.var
    def current_role(self) -> str:
        return next((s["role"] for s in self.spaces if s["id"] == self.space_id), "")

    @rx.var
    def is_org_admin(self) -> bool:
        return self.org_role in ("owner", "admin")

    @rx.var
    def is_space_admin(self) -> bool:
        return self.current_role == "admin"

    async def principal(self) -> Principal:
        """The verified caller; raises Unauthorized (the page then sends them to sign in)."""
        principal = await authenticate(self.access_token or None)
        user_id_var.set(str(principal.user_id))
        return principal

    async def space_context(self) -> SpaceContext:
        """The caller's context in the current space, resolved on the server from the verified token."""
        ctx = await resolve_space_context(await self.principal(), self.space_id)
        space_id_var.set(str(ctx.space_id))
        return ctx

    def _clear(self) -> None:
        self.access_token = ""
        self.signed_in = False
        self.user_name = self.user_email = self.organization_name = self.org_role = ""
        self.spaces = []

    async def refresh_me(self) -> None:
        """Reload the user and their spaces; keep the current space if it is still theirs."""
        info: dict[str, Any] = await accounts.me(await self.principal())
        self.user_name, self.user_email = info["name"], info["email"]
        self.organization_name, self.org_role = info["organization_name"], info["org_role"]
        self.spaces = info["spaces"]
        if not any(s["id"] == self.space_id for s in self.spaces):
            self.space_id = self.spaces[0]["id"] if self.spaces else ""
        self.signed_in = True

    @rx.event
    async def require_login(self) -> Any:
        """on_load of every signed-in page."""
        try:
            await self.refresh_me()
        except Unauthorized:
            self._clear()
            return rx.redirect(routes.LOGIN)
        return None

    @rx.event
    async def redirect_if_signed_in(self) -> Any:
        """on_load of the sign-in and sign-up pages."""
        if not self.access_token:
            return None
        try:
            await self.refresh_me()
        except AppError:
            self._clear()
            return None
        return rx.redirect(routes.HOME_SIGNED_IN)

    def start_session(self, session: accounts.Session) -> None:
        self.access_token = session.access_token
        if session.space_id:
            self.space_id = str(session.space_id)

    @rx.event
    async def switch_space(self, space_id: str) -> Any:
        """Move to another of the caller's spaces (checked on the server) and reload the page's data."""
        try:
            principal = await self.principal()
            ctx = await resolve_space_context(principal, space_id)
        except Unauthorized:
            self._clear()
            return rx.redirect(routes.LOGIN)
        except AppError as exc:
            return rx.toast.error(exc.message)
        self.space_id = str(ctx.space_id)
        return rx.redirect(self.router.url.path or routes.HOME_SIGNED_IN)

    @rx.event
    async def logout(self) -> Any:
        # An already invalid token is as good as logged out.
        with contextlib.suppress(AppError):
            await accounts.log_out(await self.principal())
        self._clear()
        return rx.redirect(routes.LOGIN)


async def enter_with(state: Any, open_session: Callable[[], Awaitable[accounts.Session]]) -> AsyncIterator[Any]:
    """The body of the sign-in, sign-up and invitation forms: show progress, open a session, go in.

    `state` has `error` and `busy` vars; a refusal (wrong password, taken email...) becomes its `error`.
    """
    state.error, state.busy = "", True
    yield None
    try:
        session = await open_session()
    except AppError as exc:
        state.error, state.busy = exc.message, False
        return
    (await state.get_state(AuthState)).start_session(session)
    state.busy = False
    yield rx.redirect(routes.HOME_SIGNED_IN)
