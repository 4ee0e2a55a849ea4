"""A fake Slack Web API on 127.0.0.1 that speaks Slack's wire format, for the Slack bridge's tests.

POST `/{method}` with a JSON or form body, authenticated by `Authorization: Bearer <token>` (or a `token`
field; `oauth.v2.access` by HTTP basic auth with the client id and secret). Replies are HTTP 200 with
`{"ok": true, ...}` or `{"ok": false, "error": "..."}`, like Slack. Every call is recorded (method, token,
body) so tests can assert what the bridge sent; messages are kept per channel with their `ts`, so
`chat.update` of an unknown message fails with `message_not_found` as on Slack.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.servers import serve_in_thread

TEAM_ID, TEAM_NAME, BOT_USER = "T0FAKE01", "Acme Marketing", "U0BOT001"


@dataclass
class Call:
    method: str
    token: str | None
    body: dict[str, Any]


@dataclass
class FakeSlack:
    """The fake's state: valid tokens, posted messages, recorded calls. Thread-safe (served in a thread)."""

    tokens: set[str] = field(default_factory=lambda: {"xoxb-fake-bot-token"})
    client_id: str = "1234.5678"
    client_secret: str = "fake-client-secret"
    oauth_codes: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds every call waits before it is answered: a slow Slack (bench/bench_slack.py)."""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def called(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    @staticmethod
    def channel_id(channel: str) -> str:
        """The id Slack answers for a channel given by #name (ids are returned as they are)."""
        if channel.startswith(("C", "G", "D")) and channel[1:].isalnum() and channel.isupper():
            return channel
        return "C" + hashlib.sha256(channel.lstrip("#").encode()).hexdigest()[:8].upper()

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{method}", self._handle, methods=["POST"])])

    async def _handle(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        raw = await request.body()
        if request.headers.get("content-type", "").startswith("application/json"):
            body = json.loads(raw or b"{}")
        else:
            body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        if self.delay:
            await asyncio.sleep(self.delay)
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else body.get("token")
        with self._lock:
            self.calls.append(Call(method, token, body))
            if method == "oauth.v2.access":
                return JSONResponse(self._oauth(auth, body))
            if token not in self.tokens:
                return JSONResponse({"ok": False, "error": "invalid_auth"})
            handler = getattr(self, "_" + method.replace(".", "_"), None)
            if handler is None:
                return JSONResponse({"ok": False, "error": "unknown_method"})
            return JSONResponse(handler(body))

    def _oauth(self, auth: str, body: dict[str, Any]) -> dict[str, Any]:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if auth != f"Basic {expected}":
            return {"ok": False, "error": "invalid_client_id"}
        token = self.oauth_codes.pop(str(body.get("code")), None)
        if token is None:
            return {"ok": False, "error": "invalid_code"}
        self.tokens.add(token)
        return {"ok": True, "access_token": token, "token_type": "bot", "team": {"id": TEAM_ID, "name": TEAM_NAME}}

    def _auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "team": TEAM_NAME, "team_id": TEAM_ID, "user_id": BOT_USER, "bot_id": "B0BOT001"}

    def _chat_postMessage(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("channel") or not (body.get("text") or body.get("blocks")):
            return {"ok": False, "error": "no_text" if body.get("channel") else "channel_not_found"}
        channel = self.channel_id(str(body["channel"]))
        ts = f"1700000000.{next(self._ts):06d}"
        message = {"ts": ts, "text": body.get("text"), "blocks": body.get("blocks"), "metadata": body.get("metadata")}
        if body.get("thread_ts"):
            if (channel, str(body["thread_ts"])) not in self.messages:
                return {"ok": False, "error": "thread_not_found"}
            message["thread_ts"] = body["thread_ts"]
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_update(self, body: dict[str, Any]) -> dict[str, Any]:
        key = (str(body.get("channel")), str(body.get("ts")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        self.messages[key].update({k: body[k] for k in ("text", "blocks", "metadata") if k in body})
        return {"ok": True, "channel": key[0], "ts": key[1], "text": body.get("text")}

    def _chat_postEphemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}

    def _views_open(self, body: dict[str, Any]) -> dict[str, Any]:
        view = body.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not body.get("trigger_id") or not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **view}}


@contextmanager
def fake_slack_server() -> Iterator[tuple[FakeSlack, str]]:
    """A fake Slack served on 127.0.0.1 and the app pointed at it (`SLACK_API_URL`) for the block."""
    from backend.core.config import get_settings

    fake = FakeSlack()
    settings = get_settings()
    previous = settings.slack_api_url
    with serve_in_thread(fake.app()) as url:
        settings.slack_api_url = url
        try:
            yield fake, url
        finally:
            settings.slack_api_url = previous


__all__ = ["BOT_USER", "TEAM_ID", "TEAM_NAME", "Call", "FakeSlack", "fake_slack_server"]
