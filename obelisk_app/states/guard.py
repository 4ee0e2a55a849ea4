"""One way for page handlers to run data-touching work and report what went wrong to the person."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from backend.core.errors import AppError, Unauthorized
from obelisk_app import routes


async def guarded(state: Any, action: Callable[[], Awaitable[Any]]) -> Any:
    """Run `action`: a lapsed sign-in goes to the sign-in page; an error the user can act on becomes the
    page's `error` and a toast. Anything else is a bug and propagates (Reflex logs it)."""
    state.error = ""
    try:
        return await action()
    except Unauthorized:
        return rx.redirect(routes.LOGIN)
    except AppError as exc:
        state.error = exc.message
        return rx.toast.error(exc.message)
