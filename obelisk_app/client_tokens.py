"""Whether a Reflex client token belongs to a browser tab connected right now (on any worker: with Redis,
Reflex's token manager shares socket records), for the upload guard in `backend.api.upload_guard`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import reflex as rx


def live_token_check(get_app: Callable[[], rx.App]) -> Callable[[str], Awaitable[bool]]:
    """The check for `app` (given late: the API is built before the Reflex app that mounts into it)."""

    async def is_live(token: str) -> bool:
        namespace = get_app().event_namespace
        if namespace is None:  # no socket endpoint yet: no tab can be connected
            return False
        # Reflex keeps its token manager private; `is_token_connected` is its own cross-worker check.
        return await namespace._token_manager.is_token_connected(token)

    return is_live


async def tab_connected(token: str) -> bool | None:
    """Whether the tab with this client token is connected now (on any worker); None when this process has
    no Reflex socket endpoint to ask (handler tests, the API alone)."""
    try:
        from reflex.utils.prerequisites import get_and_validate_app

        app = get_and_validate_app().app
    except Exception:
        return None
    if app.event_namespace is None or not token:
        return None
    return bool(await app.event_namespace._token_manager.is_token_connected(token))
