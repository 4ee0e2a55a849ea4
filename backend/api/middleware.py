"""ASGI middleware: a correlation id per request, echoed in `X-Correlation-Id` and carried into logs."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.logging import clean_correlation_id, log_context

HEADER = b"x-correlation-id"


class CorrelationIdMiddleware:
    """Pure ASGI (no response buffering, so streaming and websockets are untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == HEADER), None)
        cid = clean_correlation_id(given)
        scope.setdefault("state", {})["correlation_id"] = cid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = [h for h in message.get("headers", []) if h[0].lower() != HEADER]
                headers.append((HEADER, cid.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        with log_context(correlation_id=cid):
            await self.app(scope, receive, send_with_id)
