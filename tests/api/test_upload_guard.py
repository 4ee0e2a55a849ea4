"""Reflex's `/_upload` behind the guard: no live client token, no body read; a body over the limit is cut
at the limit, whether or not it announced its length."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from backend.core.config import get_settings

CHUNK = b"x" * 64 * 1024


class Body:
    """A request body streamed in chunks, counting how many the server pulled."""

    def __init__(self, chunks: int) -> None:
        self.chunks, self.pulled = chunks, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.pulled += 1
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n\r\n'
        for _ in range(self.chunks):
            self.pulled += 1
            yield CHUNK


@pytest.fixture
def one_mb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "max_upload_mb", 1)


@pytest.fixture
async def live_token(asgi_app: Any) -> AsyncIterator[str]:
    """A client token linked to a socket, as Reflex links it when a browser tab connects."""
    from obelisk_app.obelisk_app import app

    manager = app.event_namespace._token_manager
    token, sid = str(uuid.uuid4()), f"sid-{uuid.uuid4().hex}"
    await manager.link_token_to_sid(token, sid)
    yield token
    await manager.disconnect_token(token, sid)


def _handler() -> str:
    from obelisk_app.pages.documents_state import DocumentsState

    return f"{DocumentsState.get_full_name()}.handle_upload"


def _headers(token: str | None) -> dict[str, str]:
    out = {"reflex-event-handler": _handler(), "content-type": "multipart/form-data; boundary=b"}
    if token is not None:
        out["reflex-client-token"] = token
    return out


@pytest.mark.parametrize("token", [None, "", "not-a-connected-tab"])
async def test_no_live_client_token_is_refused_before_the_body_is_read(
    client: httpx.AsyncClient, token: str | None
) -> None:
    body = Body(chunks=64)
    response = await client.post("/_upload", content=body, headers=_headers(token))
    assert response.status_code == 403 and response.json()["error"]["code"] == "upload_forbidden"
    assert response.headers["x-correlation-id"] and response.headers["x-frame-options"] == "DENY"
    assert body.pulled <= 1


async def test_an_announced_length_over_the_limit_is_refused_unread(
    client: httpx.AsyncClient, live_token: str, one_mb: None
) -> None:
    body = Body(chunks=64)
    headers = {**_headers(live_token), "content-length": str(64 * len(CHUNK))}
    response = await client.post("/_upload", content=body, headers=headers)
    assert response.status_code == 413 and response.json()["error"]["code"] == "file_too_large"
    assert body.pulled <= 1


async def test_a_streamed_body_is_cut_at_the_limit(client: httpx.AsyncClient, live_token: str, one_mb: None) -> None:
    body = Body(chunks=1024)  # 64 MB, no Content-Length
    response = await client.post("/_upload", content=body, headers=_headers(live_token))
    assert response.status_code == 413
    limit_chunks = (get_settings().upload_limit_bytes + 1024 * 1024) // len(CHUNK)
    assert body.pulled <= limit_chunks + 2, "the rest of the body must never be read"


async def test_a_live_tab_within_the_limit_reaches_reflex(client: httpx.AsyncClient, live_token: str) -> None:
    payload = b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\r\nhello\r\n--b--\r\n"
    headers = {**_headers(live_token), "reflex-event-handler": "no.such.handler"}
    response = await client.post("/_upload", content=payload, headers=headers)
    assert response.status_code == 400 and "Unknown upload event handler" in response.text  # Reflex's own answer
