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


# Every response, the app's pages included: no page of ours may be framed by another site (clickjacking),
# and the browser must not guess content types or leak full URLs (invitation tokens) in Referer headers.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


class SecurityHeadersMiddleware:
    """Pure ASGI: adds `SECURITY_HEADERS` to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {bytes(k).lower() for k, _ in headers}
                headers.extend((k, v) for k, v in SECURITY_HEADERS if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
