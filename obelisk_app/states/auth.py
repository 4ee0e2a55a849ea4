"""`AuthState`: the signed-in user, their spaces and the current space.

The access token lives in the browser's local storage so a reload or a second tab stays signed in. The
browser can send any value with any event, so nothing here is trusted: every handler that touches data
asks `_principal()` / `_space_context()`, which verify the token and resolve the space on the server.
Page states do not call these directly: they inherit `SpaceState` (`states/space.py`). Server-side helpers
start with `_`: Reflex turns every public method of a state into an event a browser may call.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypedDict

import reflex as rx

from backend.core.clients import client_address
from backend.core.errors import AppError, Unauthorized
from backend.tenancy import accounts, verification
from backend.tenancy.access import authenticate, resolve_space_context
from backend.tenancy.context import Principal, SpaceContext
from obelisk_app import routes
from obelisk_app.states.log_scope import bind_caller, event_scope


class SpaceChoice(TypedDict):
    """One of the caller's spaces, as the space switcher shows it."""

    id: str
    name: str
    role: str


class AuthState(rx.State):
    access_token: str = rx.LocalStorage("", name="obelisk_token", sync=True)
    space_id: str = rx.LocalStorage("", name="obelisk_space", sync=True)
    user_name: str = ""
    user_email: str = ""
    organization_name: str = ""
    org_role: str = ""
    spaces: list[SpaceChoice] = []
    signed_in: bool = False
    email_unconfirmed: bool = False
    """The address is not confirmed and this server can mail a link: the shell offers a new one."""
    verification_note: str = ""

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

    async def _principal(self) -> Principal:
        """The verified caller; raises Unauthorized (the page then sends them to sign in)."""
        principal = await authenticate(self.access_token or None)
        bind_caller(user_id=principal.user_id)
        return principal

    async def _space_context(self) -> SpaceContext:
        """The caller's context in the current space, resolved on the server from the verified token."""
        ctx = await resolve_space_context(await self._principal(), self.space_id)
        bind_caller(space_id=ctx.space_id)
        return ctx

    def _signed_out(self) -> rx.event.EventSpec:
        """Forget the lapsed sign-in and send the visitor to the sign-in page."""
        self._clear()
        return rx.redirect(routes.LOGIN)

    def _clear(self) -> None:
        self.access_token = ""
        self.signed_in = False
        self.user_name = self.user_email = self.organization_name = self.org_role = ""
        self.spaces = []
        self.email_unconfirmed, self.verification_note = False, ""

    async def _refresh_me(self) -> None:
        """Reload the user and their spaces; keep the current space if it is still theirs."""
        info: dict[str, Any] = await accounts.me(await self._principal())
        self.user_name, self.user_email = info["name"], info["email"]
        self.organization_name, self.org_role = info["organization_name"], info["org_role"]
        self.email_unconfirmed = info["email_verification_available"] and not info["email_verified"]
        self.spaces = [SpaceChoice(id=s["id"], name=s["name"], role=s["role"]) for s in info["spaces"]]
        if not any(s["id"] == self.space_id for s in self.spaces):
            self.space_id = self.spaces[0]["id"] if self.spaces else ""
        self.signed_in = True

    @rx.event
    async def require_login(self) -> Any:
        """on_load of every signed-in page."""
        with event_scope():
            try:
                await self._refresh_me()
            except Unauthorized:
                return self._signed_out()
            return None

    @rx.event
    async def redirect_if_signed_in(self) -> Any:
        """on_load of the sign-in and sign-up pages."""
        if not self.access_token:
            return None
        with event_scope():
            try:
                await self._refresh_me()
            except AppError:
                self._clear()
                return None
            return rx.redirect(routes.HOME_SIGNED_IN)

    def _start_session(self, session: accounts.SignIn) -> None:
        self.access_token = session.access_token
        if session.space_id:
            self.space_id = str(session.space_id)

    @rx.event
    async def switch_space(self, space_id: str) -> Any:
        """Move to another of the caller's spaces (checked on the server) and reload the page's data."""
        with event_scope():
            try:
                ctx = await resolve_space_context(await self._principal(), space_id)
            except Unauthorized:
                return self._signed_out()
            except AppError as exc:
                return rx.toast.error(exc.message)
            self.space_id = str(ctx.space_id)
            return rx.redirect(self.router.url.path or routes.HOME_SIGNED_IN)

    @rx.event
    async def resend_verification(self) -> Any:
        """Mail a new confirmation link (the previous one stops working)."""
        with event_scope():
            try:
                await verification.resend_verification(await self._principal())
            except Unauthorized:
                return self._signed_out()
            except AppError as exc:
                if exc.code == "already_verified":
                    self.email_unconfirmed = False
                self.verification_note = exc.message
                return None
            self.verification_note = f"A new link is on its way to {self.user_email}. It replaces the earlier one."
            return None

    @rx.event
    async def logout(self) -> Any:
        # An already invalid token is as good as logged out.
        with event_scope(), contextlib.suppress(AppError):
            await accounts.log_out(await self._principal())
        return self._signed_out()


async def enter_with(state: Any, open_session: Callable[[], Awaitable[accounts.SignIn]]) -> AsyncIterator[Any]:
    """The body of the sign-in, sign-up and invitation forms: show progress, open a session, go in.

    `state` has `error` and `busy` vars; a refusal (wrong password, taken email...) becomes its `error`.
    """
    state.error, state.busy = "", True
    yield None
    try:
        with event_scope():
            session = await open_session()
    except AppError as exc:
        state.error, state.busy = exc.message, False
        return
    (await state.get_state(AuthState))._start_session(session)
    state.busy = False
    yield rx.redirect(routes.HOME_SIGNED_IN)


def client_of(state: rx.State) -> str:
    """The browser's address for throttling: the socket's peer, or what a trusted proxy forwarded.

    Not Reflex's `client_ip` alone: behind a balancer that is the balancer, and X-Forwarded-For from an
    untrusted peer is whatever the browser sent, which would let one client dodge the per-client limit.
    """
    raw = state.router.headers.raw_headers
    peer = raw.get("asgi-scope-client") or state.router.session.client_ip
    return client_address(peer, raw.get("x-forwarded-for"))
