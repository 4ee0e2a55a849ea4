"""A local stand-in for Google Secret Manager's REST API (v1), for the calls key storage makes.

It speaks the wire format of the real service for: create secret (`POST projects/*/secrets?secretId=`),
add version (`POST projects/*/secrets/*:addVersion`, payload base64 with a decimal CRC32C), access version
(`GET projects/*/secrets/*/versions/*:access`, `latest` too) and delete secret (`DELETE projects/*/secrets/*`).
Like the real service it names resources by project *number*, answers errors as
`{"error": {"code", "message", "status"}}`, and refuses requests without the expected bearer token.
It runs under uvicorn on 127.0.0.1 in a thread, so the client under test makes real HTTP calls.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import google_crc32c
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.servers import serve_in_thread

PROJECT_NUMBER = "123456789012"
TOKEN = "fake-access-token"


@dataclass
class FakeSecretManager:
    project_id: str = "obelisk-test"
    base_url: str = ""
    secrets: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, list[bytes]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    corrupt_reads: bool = False

    def _error(self, code: int, status: str, message: str) -> JSONResponse:
        return JSONResponse({"error": {"code": code, "message": message, "status": status}}, status_code=code)

    def _project_ok(self, project: str) -> bool:
        return project in (self.project_id, PROJECT_NUMBER)

    def _secret_name(self, secret_id: str) -> str:
        return f"projects/{PROJECT_NUMBER}/secrets/{secret_id}"

    async def dispatch(self, request: Request) -> JSONResponse:
        self.requests.append((request.method, request.url.path))
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return self._error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        parts = request.url.path.split("/")
        # /v1/projects/{project}/secrets[/{secret}[:addVersion]][/versions/{version}:access]
        if len(parts) < 5 or parts[1] != "v1" or parts[2] != "projects" or parts[4] != "secrets":
            return self._error(404, "NOT_FOUND", "Method not found.")
        if not self._project_ok(parts[3]):
            return self._error(403, "PERMISSION_DENIED", f"Permission denied on project {parts[3]}.")
        if len(parts) == 5 and request.method == "POST":
            return await self._create(request)
        if len(parts) == 6 and request.method == "POST" and parts[5].endswith(":addVersion"):
            return await self._add_version(parts[5].removesuffix(":addVersion"), request)
        if len(parts) == 6 and request.method == "DELETE":
            return self._delete(parts[5])
        if len(parts) == 8 and request.method == "GET" and parts[6] == "versions" and parts[7].endswith(":access"):
            return self._access(parts[5], parts[7].removesuffix(":access"))
        return self._error(404, "NOT_FOUND", "Method not found.")

    async def _create(self, request: Request) -> JSONResponse:
        secret_id = request.query_params.get("secretId", "")
        if not secret_id or not all(c.isalnum() or c in "-_" for c in secret_id) or len(secret_id) > 255:
            return self._error(400, "INVALID_ARGUMENT", "Invalid secret id.")
        body = await request.json()
        if "automatic" not in body.get("replication", {}) and "userManaged" not in body.get("replication", {}):
            return self._error(400, "INVALID_ARGUMENT", "Secret.replication is required.")
        if secret_id in self.secrets:
            return self._error(409, "ALREADY_EXISTS", f"Secret [{self._secret_name(secret_id)}] already exists.")
        secret = {
            "name": self._secret_name(secret_id),
            "replication": body["replication"],
            "labels": body.get("labels", {}),
            "createTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        self.secrets[secret_id] = secret
        self.versions[secret_id] = []
        return JSONResponse(secret)

    async def _add_version(self, secret_id: str, request: Request) -> JSONResponse:
        if secret_id not in self.secrets:
            return self._error(404, "NOT_FOUND", f"Secret [{self._secret_name(secret_id)}] not found.")
        payload = (await request.json()).get("payload", {})
        data = base64.b64decode(payload.get("data", ""))
        if "dataCrc32c" in payload and str(payload["dataCrc32c"]) != str(google_crc32c.value(data)):
            return self._error(400, "INVALID_ARGUMENT", "Checksum mismatch.")
        self.versions[secret_id].append(data)
        number = len(self.versions[secret_id])
        return JSONResponse(
            {"name": f"{self._secret_name(secret_id)}/versions/{number}", "state": "ENABLED", "createTime": "now"}
        )

    def _access(self, secret_id: str, version: str) -> JSONResponse:
        stored = self.versions.get(secret_id) or []
        number = len(stored) if version == "latest" else int(version) if version.isdigit() else 0
        if not 1 <= number <= len(stored):
            return self._error(404, "NOT_FOUND", f"Secret Version [{secret_id}/{version}] not found.")
        data = stored[number - 1]
        checksum = google_crc32c.value(data)
        if self.corrupt_reads:
            data = data[:-1] + bytes([data[-1] ^ 1])
        return JSONResponse(
            {
                "name": f"{self._secret_name(secret_id)}/versions/{number}",
                "payload": {"data": base64.b64encode(data).decode(), "dataCrc32c": str(checksum)},
            }
        )

    def _delete(self, secret_id: str) -> JSONResponse:
        if secret_id not in self.secrets:
            return self._error(404, "NOT_FOUND", f"Secret [{self._secret_name(secret_id)}] not found.")
        del self.secrets[secret_id]
        del self.versions[secret_id]
        return JSONResponse({})

    def app(self) -> Starlette:
        async def endpoint(request: Request) -> JSONResponse:
            return await self.dispatch(request)

        return Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "POST", "DELETE"])])


@contextmanager
def running_fake_secret_manager() -> Iterator[tuple[str, FakeSecretManager]]:
    """Serve a fresh fake on a free 127.0.0.1 port; yields (base URL ending in /v1, the fake's state)."""
    fake = FakeSecretManager()
    with serve_in_thread(fake.app()) as root:
        fake.base_url = f"{root}/v1"
        yield fake.base_url, fake


async def fake_token() -> str:
    """The token provider injected in place of Google application default credentials."""
    return TOKEN
