"""A thin async client for the few Slack Web API methods the review bridge calls.

It speaks the Web API's wire format: POST `{SLACK_API_URL}/{method}` with the bot token as a bearer token and
a JSON body (form-encoded for `oauth.v2.access`, which authenticates with the app's client id and secret), and
reads `{"ok": true, ...}` or `{"ok": false, "error": "..."}`. A failure raises slack-sdk's `SlackApiError`
(the same type its own clients raise) carrying Slack's error code.

Why not slack-sdk's `AsyncWebClient`: it is built on aiohttp, which this project does not install; httpx is
already the project's HTTP client (with its timeouts and test servers), and these few calls need nothing else.
The `conversations.*` reads are sent form-encoded: Slack takes JSON bodies only on its write methods.
`SLACK_API_URL` points the client at Slack (default) or at a local fake in tests.
"""

from __future__ import annotations

from typing import Any

import httpx
from slack_sdk.errors import SlackApiError

from backend.core.config import get_settings

_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class SlackClient:
    """Calls the Web API with one bot token. Stateless apart from the token; create one per use."""

    def __init__(self, token: str, *, base_url: str | None = None, timeout: httpx.Timeout = _TIMEOUT) -> None:
        self._token = token
        self._base_url = (base_url or get_settings().slack_api_url).rstrip("/")
        self._timeout = timeout

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST `payload` as JSON to `method`; the reply's fields, or SlackApiError when `ok` is false."""
        headers = {"Authorization": f"Bearer {self._token}"}
        return await _post(self._base_url, method, self._timeout, headers=headers, json=payload)

    async def call_form(self, method: str, fields: dict[str, str]) -> dict[str, Any]:
        """POST `fields` form-encoded to `method` (Slack's read methods do not accept a JSON body)."""
        headers = {"Authorization": f"Bearer {self._token}"}
        return await _post(self._base_url, method, self._timeout, headers=headers, data=fields)

    async def conversations_list(self, *, cursor: str = "", limit: int = 200) -> dict[str, Any]:
        """One page of the channels the token can see, public and private, archived left out; the next page's
        cursor is `response_metadata.next_cursor` (empty on the last page)."""
        fields = {"types": "public_channel,private_channel", "exclude_archived": "true", "limit": str(limit)}
        if cursor:
            fields["cursor"] = cursor
        return await self.call_form("conversations.list", fields)

    async def conversations_info(self, *, channel: str) -> dict[str, Any]:
        """`conversations.info`: the channel's `name`, `is_private`, `is_archived` and the bot's `is_member`."""
        return await self.call_form("conversations.info", {"channel": channel})

    async def conversations_join(self, *, channel: str) -> dict[str, Any]:
        """`conversations.join`: the bot joins a public channel (needs the `channels:join` scope)."""
        return await self.call_form("conversations.join", {"channel": channel})

    async def auth_test(self) -> dict[str, Any]:
        """Who the token is: `team_id`, `team`, `user_id`, `bot_id`."""
        return await self.call("auth.test", {})

    async def post_message(
        self,
        *,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
        thread_ts: str | None = None,
    ) -> dict[str, Any]:
        """`chat.postMessage`; the reply carries the channel id and the message `ts`."""
        return await self.call(
            "chat.postMessage",
            _drop_none(
                {"channel": channel, "text": text, "blocks": blocks, "metadata": metadata, "thread_ts": thread_ts}
            ),
        )

    async def update_message(
        self,
        *,
        channel: str,
        ts: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """`chat.update` of the message at `channel` / `ts` (unlimited, unlike a response_url)."""
        return await self.call(
            "chat.update",
            _drop_none({"channel": channel, "ts": ts, "text": text, "blocks": blocks, "metadata": metadata}),
        )

    async def post_ephemeral(
        self, *, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """`chat.postEphemeral`: a reply only `user` sees."""
        return await self.call(
            "chat.postEphemeral", _drop_none({"channel": channel, "user": user, "text": text, "thread_ts": thread_ts})
        )

    async def open_view(self, *, trigger_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """`views.open` (the trigger id is valid for three seconds after the click)."""
        return await self.call("views.open", {"trigger_id": trigger_id, "view": view})


async def oauth_v2_access(
    *, client_id: str, client_secret: str, code: str, redirect_uri: str, base_url: str | None = None
) -> dict[str, Any]:
    """Exchange an OAuth install's `code` for the bot token (`oauth.v2.access`, client credentials as basic auth)."""
    return await _post(
        (base_url or get_settings().slack_api_url).rstrip("/"),
        "oauth.v2.access",
        _TIMEOUT,
        auth=httpx.BasicAuth(client_id, client_secret),
        data={"code": code, "redirect_uri": redirect_uri},
    )


async def _post(base_url: str, method: str, timeout: httpx.Timeout, **kwargs: Any) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=timeout) as http:
            response = await http.post(f"{base_url}/{method}", **kwargs)
    except httpx.HTTPError as exc:
        raise SlackApiError(f"Slack could not be reached ({method}): {type(exc).__name__}", {"ok": False}) from exc
    if response.status_code == 429:
        retry = response.headers.get("Retry-After", "")
        seconds = int(retry) if retry.isdigit() else 30
        raise SlackApiError(
            f"Slack rate-limited {method}; retry after {seconds} s",
            {"ok": False, "error": "ratelimited", "retry_after": seconds},
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise SlackApiError(f"Slack answered {method} with HTTP {response.status_code} and no JSON", {"ok": False})
    if not body.get("ok"):
        raise SlackApiError(f"Slack refused {method}: {body.get('error', 'unknown_error')}", body)
    return body


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def slack_error_code(exc: SlackApiError) -> str:
    """Slack's error code of a failed call (`channel_not_found`, `invalid_auth`...), or `unreachable`."""
    response: Any = exc.response
    code = response.get("error") if isinstance(response, dict) else None
    return str(code or "unreachable")


__all__ = ["SlackApiError", "SlackClient", "oauth_v2_access", "slack_error_code"]
