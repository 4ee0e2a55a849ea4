"""Revocation through Redis is seen by a second process (another worker), in both directions."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from cryptography.hazmat.primitives import serialization

from backend.auth.keys import KeyRing
from backend.auth.revocation import VERIFY_LEEWAY_SECONDS, is_revoked, revoke
from backend.auth.tokens import issue_access_token, verify_access_token
from backend.core import cache as cache_module
from backend.core.config import get_settings
from backend.core.errors import Unauthorized

ROOT = Path(__file__).resolve().parents[2]

# The second process builds its keyring from the same key (as every worker does from the database) and
# selects its cache from the environment alone, exactly like a freshly started worker.
_WORKER_SCRIPT = """
import asyncio, json, sys
from datetime import datetime
from cryptography.hazmat.primitives import serialization
from backend.auth.keys import KeyRing, key_id
from backend.auth.revocation import is_revoked, revoke
from backend.auth.tokens import verify_access_token
from backend.core.cache import get_cache
from backend.core.errors import Unauthorized

async def main() -> None:
    job = json.loads(sys.stdin.read())
    key = serialization.load_pem_private_key(job["pem"].encode(), None)
    keyring = KeyRing(current_kid=key_id(key.public_key()), private_key=key)
    report = {"backend": get_cache().backend_name}
    for name, item in job["tokens"].items():
        report[name + "_is_revoked"] = await is_revoked(item["jti"])
        try:
            await verify_access_token(item["token"], keyring=keyring)
            report[name + "_verify"] = "ok"
        except Unauthorized as exc:
            report[name + "_verify"] = exc.code
    await revoke(job["revoke"]["jti"], datetime.fromisoformat(job["revoke"]["expires_at"]))
    await get_cache().close()
    print(json.dumps(report))

asyncio.run(main())
"""


@pytest.fixture
async def redis_settings(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[dict[str, str]]:
    """This process on the real Redis, chosen the way the app chooses it (REDIS_URL in the settings)."""
    namespace = f"test-{uuid.uuid4().hex[:8]}"
    settings = get_settings()
    monkeypatch.setattr(settings, "redis_url", redis_url)
    monkeypatch.setattr(settings, "cache_namespace", namespace)
    cache_module.set_cache_and_broker(None, None)
    try:
        yield {"REDIS_URL": redis_url, "CACHE_NAMESPACE": namespace}
    finally:
        await cache_module.get_cache().close()
        cache_module.set_cache_and_broker(None, None)


def run_worker(env: dict[str, str], job: Mapping[str, object]) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", _WORKER_SCRIPT],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


async def test_revocation_is_seen_by_a_second_process(redis_settings: dict[str, str]) -> None:
    assert cache_module.get_cache().backend_name == "redis"
    keyring = KeyRing.generate()
    logged_out = issue_access_token(subject="user-1", claims={}, keyring=keyring)
    still_in = issue_access_token(subject="user-1", claims={}, keyring=keyring)
    revoked_there = issue_access_token(subject="user-2", claims={}, keyring=keyring)
    await revoke(logged_out.jti, logged_out.expires_at)

    pem = keyring.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    job = {
        "pem": pem,
        "tokens": {
            "logged_out": {"token": logged_out.token, "jti": logged_out.jti},
            "still_in": {"token": still_in.token, "jti": still_in.jti},
        },
        "revoke": {"jti": revoked_there.jti, "expires_at": revoked_there.expires_at.isoformat()},
    }
    report = await asyncio.to_thread(run_worker, redis_settings, job)

    assert report == {
        "backend": "redis",
        "logged_out_is_revoked": True,
        "logged_out_verify": "token_revoked",
        "still_in_is_revoked": False,
        "still_in_verify": "ok",
    }
    # ...and what the other process revoked is refused here.
    assert await is_revoked(revoked_there.jti)
    with pytest.raises(Unauthorized) as caught:
        await verify_access_token(revoked_there.token, keyring=keyring)
    assert caught.value.code == "token_revoked"
    assert (await verify_access_token(still_in.token, keyring=keyring))["jti"] == still_in.jti


async def test_redis_entry_lives_as_long_as_the_token(redis_settings: dict[str, str]) -> None:
    keyring = KeyRing.generate()
    issued = issue_access_token(subject="user-1", claims={}, keyring=keyring)
    await revoke(issued.jti, issued.expires_at)
    client = aioredis.from_url(redis_settings["REDIS_URL"])
    try:
        key = f"{redis_settings['CACHE_NAMESPACE']}:revoked:jti:{issued.jti}"
        ttl_ms = await client.pttl(key)
    finally:
        await client.aclose()
    expected = get_settings().access_token_ttl_minutes * 60 + VERIFY_LEEWAY_SECONDS
    assert expected - 5 <= ttl_ms / 1000 <= expected


async def test_a_second_process_without_redis_does_not_see_it(redis_settings: dict[str, str]) -> None:
    """The in-process fallback is per process: this is why REDIS_URL is required with several workers."""
    keyring = KeyRing.generate()
    issued = issue_access_token(subject="user-1", claims={}, keyring=keyring)
    await revoke(issued.jti, issued.expires_at)
    pem = keyring.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    other = issue_access_token(subject="user-2", claims={}, keyring=keyring)
    job = {
        "pem": pem,
        "tokens": {"t": {"token": issued.token, "jti": issued.jti}},
        "revoke": {"jti": other.jti, "expires_at": other.expires_at.isoformat()},
    }
    report = await asyncio.to_thread(run_worker, {"REDIS_URL": "", "CACHE_NAMESPACE": "unused"}, job)
    assert report == {"backend": "in-process", "t_is_revoked": False, "t_verify": "ok"}
