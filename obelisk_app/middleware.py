"""Reflex event middleware: every event handled on the server gets its own correlation id in the logs."""

from __future__ import annotations

import logging
from typing import Any

from reflex.middleware import Middleware

from backend.core.logging import correlation_id_var, new_correlation_id

logger = logging.getLogger("obelisk_app.events")


class CorrelationIdEventMiddleware(Middleware):
    """Sets the correlation id before the handler runs and clears it afterwards.

    Reflex awaits the middleware inside the task that processes the event, so the context variable set
    here is the one the handler (and any background task it starts) sees.
    """

    async def preprocess(self, app: Any, state: Any, event: Any) -> None:
        cid = f"evt-{new_correlation_id()}"
        correlation_id_var.set(cid)
        logger.debug("event", extra={"event": getattr(event, "name", "?")})
        return None

    async def postprocess(self, app: Any, state: Any, event: Any, update: Any) -> Any:
        correlation_id_var.set(None)
        return update
