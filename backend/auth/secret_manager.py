"""A small Google Secret Manager client (REST over httpx) for the private halves of signing keys.

Only the calls key storage needs: create a secret, add a version, access a version, delete a secret. The
Google SDK is not used: it would pull in gRPC machinery for four requests. Credentials come from
`google.auth` application default credentials, imported lazily so the default (database) key backend
never loads it; tests inject their own token provider and point the base URL at a local fake.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from typing import Any

import google_crc32c
import httpx

from backend.core.config import get_settings

TokenProvider = Callable[[], Awaitable[str]]

_CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


class SecretManagerError(RuntimeError):
    """A Secret Manager call failed; the message names the call and Google's reason, never the payload."""


class GoogleDefaultCredentials:
    """Access tokens from application default credentials, refreshed when they expire."""

    def __init__(self) -> None:
        self._credentials: Any = None

    async def __call__(self) -> str:
        # google.auth refreshes with blocking HTTP; keep it off the event loop.
        return await asyncio.to_thread(self._token)

    def _token(self) -> str:
        import google.auth
        from google.auth.transport.requests import Request

        if self._credentials is None:
            self._credentials, _ = google.auth.default(scopes=[_CLOUD_PLATFORM_SCOPE])
        if not self._credentials.valid:
            self._credentials.refresh(Request())
        return str(self._credentials.token)


class SecretManager:
    """Stores and reads secret payloads in one project."""

    def __init__(
        self,
        *,
        project: str,
        base_url: str,
        token_provider: TokenProvider | None = None,
        timeout: float = 10.0,
    ) -> None:
        if not project:
            raise SecretManagerError(
                "KEY_BACKEND=gcp_secret_manager needs a project: set GCP_SECRET_PROJECT (or VERTEX_PROJECT)"
            )
        self.project = project
        self._base_url = base_url.rstrip("/")
        self._token_provider = token_provider or GoogleDefaultCredentials()
        self._timeout = timeout

    async def store(self, secret_id: str, data: bytes, *, labels: dict[str, str] | None = None) -> str:
        """Create the secret `secret_id` (if new) and add `data` as a version; returns the version's name."""
        await self._request(
            "POST",
            f"projects/{self.project}/secrets",
            params={"secretId": secret_id},
            json={"replication": {"automatic": {}}, "labels": labels or {}},
            tolerate=(409,),  # already there: a retry after a half-finished attempt
        )
        body = await self._request(
            "POST",
            f"projects/{self.project}/secrets/{secret_id}:addVersion",
            json={"payload": {"data": base64.b64encode(data).decode(), "dataCrc32c": str(google_crc32c.value(data))}},
        )
        name = body.get("name")
        if not isinstance(name, str) or "/versions/" not in name:
            raise SecretManagerError(f"Secret Manager returned no version name for secret {secret_id}")
        return name

    async def access(self, version_name: str) -> bytes:
        """The payload of a secret version (`projects/*/secrets/*/versions/*`), checked against its CRC32C."""
        body = await self._request("GET", f"{version_name}:access")
        payload = body.get("payload") or {}
        try:
            data = base64.b64decode(payload["data"], validate=True)
        except (KeyError, TypeError, ValueError) as exc:
            raise SecretManagerError(f"Secret Manager returned no readable payload for {version_name}") from exc
        checksum = payload.get("dataCrc32c")
        if checksum is not None and str(checksum) != str(google_crc32c.value(data)):
            raise SecretManagerError(f"the payload of {version_name} failed its CRC32C check (corrupted in transit)")
        return data

    async def delete_secret_of(self, version_name: str) -> None:
        """Delete the secret a version belongs to, with every version of it; a missing secret is not an error."""
        secret_name = version_name.split("/versions/", 1)[0]
        await self._request("DELETE", secret_name, tolerate=(404,))

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        tolerate: tuple[int, ...] = (),
    ) -> dict[str, Any]:
        token = await self._token_provider()
        url = f"{self._base_url}/{path}"
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.request(
                    method, url, params=params, json=json, headers={"Authorization": f"Bearer {token}"}
                )
        except httpx.HTTPError as exc:
            raise SecretManagerError(f"Secret Manager is unreachable ({method} {path}): {exc}") from exc
        if response.status_code in tolerate:
            return {}
        if response.status_code >= 400:
            raise SecretManagerError(
                f"Secret Manager refused {method} {path}: HTTP {response.status_code} {_google_reason(response)}"
            )
        try:
            body = response.json()
        except ValueError as exc:
            raise SecretManagerError(f"Secret Manager answered {method} {path} with something not JSON") from exc
        return body if isinstance(body, dict) else {}


def _google_reason(response: httpx.Response) -> str:
    try:
        error = response.json().get("error", {})
        return f"{error.get('status', '')}: {error.get('message', '')}".strip(": ")
    except (ValueError, AttributeError):
        return ""


_secret_manager: SecretManager | None = None


def get_secret_manager() -> SecretManager:
    """The process-wide client, configured from settings on first use."""
    global _secret_manager
    if _secret_manager is None:
        settings = get_settings()
        _secret_manager = SecretManager(
            project=settings.gcp_secret_project or settings.vertex_project or "",
            base_url=settings.gcp_secret_manager_url,
        )
    return _secret_manager


def set_secret_manager(client: SecretManager | None) -> None:
    """Replace the process-wide client (tests point it at a local fake with their own token provider)."""
    global _secret_manager
    _secret_manager = client


__all__ = [
    "GoogleDefaultCredentials",
    "SecretManager",
    "SecretManagerError",
    "TokenProvider",
    "get_secret_manager",
    "set_secret_manager",
]
