"""Reflex states without a browser: one state tree per "tab", signed in as someone, on some page.

Under pytest a root `State()` can be built directly and a handler called as `await Cls.handler.fn(state)`
(`async with self` is a no-op there). What the browser would send (a token, a claimed space id, the URL)
is set here, so tests can send exactly what a hostile browser could.
"""

from __future__ import annotations

from typing import Any, TypeVar

from reflex.istate.data import RouterData
from reflex.state import State

from obelisk_app.states import AuthState

S = TypeVar("S")


class Tab:
    """One browser tab's state tree: `tab.state(MembersState)` is the substate its handlers run on."""

    def __init__(self, token: str = "", space_id: str = "", *, route: str = "/", params: dict[str, str] | None = None):
        """A tab on `route` (a route pattern such as `routes.DOCUMENT`) with its route variables `params`."""
        import obelisk_app.obelisk_app  # noqa: F401  (registers every page, state and route variable)

        params = params or {}
        url = route
        for name, value in params.items():
            url = url.replace(f"[{name}]", value)
        self.root = State()
        self.root.router = RouterData.from_router_data({"pathname": route, "asPath": url, "query": params})
        self.auth: AuthState = self.state(AuthState)
        self.auth.access_token, self.auth.space_id = token, space_id

    def state(self, cls: type[S]) -> S:
        return self.root.get_substate(cls.get_full_name().split(".")[1:])  # type: ignore[attr-defined, no-any-return]


def tab_of(account: Any, space_id: str | None = None, **kwargs: Any) -> Tab:
    """A tab signed in as `account` (a `Tenant`), in `space_id` (default: their first space)."""
    return Tab(account.token, space_id if space_id is not None else account.space_id, **kwargs)
