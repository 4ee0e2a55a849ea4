"""An ASGI guard in front of Reflex's `/_upload`, which would otherwise read a whole multipart body to disk
before any of our code runs, for anyone.

Before a byte of the body is read, a request must carry a client token of a browser tab that is connected
right now (the predicate is given by the UI layer, which knows Reflex's sockets) and must not announce a
Content-Length over the limit; while the body streams in, the bytes are counted and the request is cut at
the limit: the upload handler sees a disconnect, the client gets 413, and the rest is never read.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.config import get_settings

UPLOAD_PATH_SUFFIX = "/_upload"
# Multipart framing (boundaries, part headers, the handler's bound arguments) on top of the file bytes.
MULTIPART_OVERHEAD_BYTES = 1024 * 1024

TokenCheck = Callable[[str], Awaitable[bool]]


def upload_body_limit() -> int:
    """The most bytes one upload request may send: the file limit (MAX_UPLOAD_MB) plus multipart framing."""
    return get_settings().upload_limit_bytes + MULTIPART_OVERHEAD_BYTES


async def _answer(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close")],
        }
    )  # fmt: skip
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class UploadGuard:
    """Pure ASGI middleware; every path but the upload endpoint passes straight through."""

    def __init__(self, app: ASGIApp, *, token_is_live: TokenCheck) -> None:
        self.app = app
        self.token_is_live = token_is_live

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).rstrip("/").endswith(UPLOAD_PATH_SUFFIX):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        token = headers.get("reflex-client-token", "")
        if not token or len(token) > 200 or not await self.token_is_live(token):
            await _answer(send, 403, "upload_forbidden", "Uploads come from an open page of the app.")
            return
        limit = upload_body_limit()
        announced = headers.get("content-length", "")
        if announced and (not announced.isdigit() or int(announced) > limit):
            await _answer(send, 413, "file_too_large", _too_large_message())
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        cut = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, cut
            if cut:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut = True  # the handler sees the client go away and stops reading
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if cut and not started:
                raise _TooLarge
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except Exception:
            if not cut:
                raise
        if cut and not started:
            await _answer(send, 413, "file_too_large", _too_large_message())


def _too_large_message() -> str:
    return f"The upload is larger than {get_settings().max_upload_mb} MB."


__all__ = ["UPLOAD_PATH_SUFFIX", "UploadGuard", "upload_body_limit"]
