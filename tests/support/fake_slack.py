"""A fake Slack Web API on 127.0.0.1 that speaks Slack's wire format, for the Slack bridge's tests.

POST `/{method}` with a JSON or form body, authenticated by `Authorization: Bearer <token>` (or a `token`
field; `oauth.v2.access` by HTTP basic auth with the client id and secret). Replies are HTTP 200 with
`{"ok": true, ...}` or `{"ok": false, "error": "..."}`, like Slack. Every call is recorded (method, token,
body) so tests can assert what the bridge sent; messages are kept per channel with their `ts`, so
`chat.update` of an unknown message fails with `message_not_found` as on Slack.

The workspace has channels (`channels`, by id) and the token has scopes (`scopes`): `conversations.list` pages
through them with Slack's cursor (`response_metadata.next_cursor`, empty on the last page) and, as for a bot
on Slack, lists the public channels and only the private ones it is in; `conversations.info` and
`conversations.join` answer as Slack does (`channel_not_found`, `missing_scope` with `needed`,
`method_not_supported_for_channel_type`, `is_archived`). `rate_limit[method] = seconds` makes the next call of
`method` answer HTTP 429 with that Retry-After.
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
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.servers import serve_in_thread

TEAM_ID, TEAM_NAME, BOT_USER, BOT_NAME = "T0FAKE01", "Acme Marketing", "U0BOT001", "obelisk"

MEMBER_CHANNELS = ("content-review", "bravo-reviews", "launches", "second-review")
"""Public channels the bot is in from the start (the channels the tests name)."""


def _channel_id(name: str, private: bool = False) -> str:
    return ("G" if private else "C") + hashlib.sha256(name.encode()).hexdigest()[:8].upper()


def _workspace() -> dict[str, dict[str, Any]]:
    rows = [(name, False, True, False) for name in MEMBER_CHANNELS] + [
        ("general", False, False, False),  # public, the bot not in it: joined when it may
        ("leadership", True, False, False),  # private without the bot: invisible to it, as on Slack
        ("design-crit", True, True, False),  # private with the bot
        ("old-campaigns", False, True, True),  # archived
    ]
    channels = {}
    for name, private, member, archived in rows:
        cid = _channel_id(name, private)
        channels[cid] = {"id": cid, "name": name, "is_private": private, "is_member": member, "is_archived": archived}
    return channels


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
    channels: dict[str, dict[str, Any]] = field(default_factory=_workspace)
    scopes: set[str] = field(
        default_factory=lambda: {"chat:write", "chat:write.public", "channels:read", "groups:read", "channels:join"}
    )
    rate_limit: dict[str, int] = field(default_factory=dict)
    """method → Retry-After seconds: the method's next call answers HTTP 429."""
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
        return _channel_id(channel.lstrip("#"))

    def add_channels(self, names: list[str], *, member: bool = True) -> None:
        """More public channels (to page through)."""
        with self._lock:
            for name in names:
                cid = _channel_id(name)
                self.channels[cid] = {
                    "id": cid,
                    "name": name,
                    "is_private": False,
                    "is_member": member,
                    "is_archived": False,
                }

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{method}", self._handle, methods=["POST"])])

    async def _handle(self, request: Request) -> Response:
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
            if method in self.rate_limit:
                retry = self.rate_limit.pop(method)
                return JSONResponse({"ok": False, "error": "ratelimited"}, 429, {"Retry-After": str(retry)})
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
        return {
            "ok": True,
            "team": TEAM_NAME,
            "team_id": TEAM_ID,
            "user": BOT_NAME,
            "user_id": BOT_USER,
            "bot_id": "B0BOT001",
        }

    def _missing(self, *needed: str) -> dict[str, Any] | None:
        for scope in needed:
            if scope not in self.scopes:
                return {
                    "ok": False,
                    "error": "missing_scope",
                    "needed": scope,
                    "provided": ",".join(sorted(self.scopes)),
                }
        return None

    def _visible(self, channel: dict[str, Any]) -> bool:
        return not channel["is_private"] or channel["is_member"]

    def _conversations_list(self, body: dict[str, Any]) -> dict[str, Any]:
        types = str(body.get("types") or "public_channel").split(",")
        refused = self._missing(
            *(["channels:read"] if "public_channel" in types else []),
            *(["groups:read"] if "private_channel" in types else []),
        )
        if refused:
            return refused
        wanted = [
            c
            for c in sorted(self.channels.values(), key=lambda c: c["id"])
            if self._visible(c)
            and ("private_channel" if c["is_private"] else "public_channel") in types
            and not (c["is_archived"] and str(body.get("exclude_archived")).lower() in ("true", "1"))
        ]
        limit = max(1, min(int(body.get("limit") or 100), 1000))
        cursor = str(body.get("cursor") or "")
        try:
            start = int(base64.b64decode(cursor).decode().removeprefix("next:")) if cursor else 0
        except ValueError:
            return {"ok": False, "error": "invalid_cursor"}
        page = wanted[start : start + limit]
        more = start + limit < len(wanted)
        following = base64.b64encode(f"next:{start + limit}".encode()).decode() if more else ""
        return {"ok": True, "channels": [dict(c) for c in page], "response_metadata": {"next_cursor": following}}

    def _conversation(self, body: dict[str, Any]) -> dict[str, Any] | None:
        channel = self.channels.get(str(body.get("channel") or ""))
        return channel if channel is not None and self._visible(channel) else None

    def _conversations_info(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(body)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        refused = self._missing("groups:read" if channel["is_private"] else "channels:read")
        return refused or {"ok": True, "channel": dict(channel)}

    def _conversations_join(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(body)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        refused = self._missing("channels:join")
        if refused:
            return refused
        if channel["is_private"]:
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        if channel["is_archived"]:
            return {"ok": False, "error": "is_archived"}
        channel["is_member"] = True
        return {"ok": True, "channel": dict(channel)}

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


__all__ = ["BOT_NAME", "BOT_USER", "TEAM_ID", "TEAM_NAME", "Call", "FakeSlack", "fake_slack_server"]
