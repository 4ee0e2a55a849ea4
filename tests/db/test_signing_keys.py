"""Signing keys in PostgreSQL: created once, stored encrypted (or in Secret Manager), rotated, shared by processes."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import text

from backend.auth import key_store
from backend.auth import keyring as keys_module
from backend.auth import secret_manager as secret_manager_module
from backend.auth.crypto import decrypt
from backend.auth.keys import (
    KeyRing,
    get_keyring,
    load_keyring,
    refresh_keyring_if_stale,
    rotate_keys,
    rotate_keys_if_due,
    set_keyring,
)
from backend.auth.secret_manager import SecretManager, SecretManagerError, set_secret_manager
from backend.auth.tokens import issue_access_token, verify_access_token
from backend.core.config import get_settings
from backend.core.db import Database
from backend.core.errors import Unauthorized
from tests.unit.auth.fake_secret_manager import FakeSecretManager, fake_token, running_fake_secret_manager

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _own_process_keys(monkeypatch: pytest.MonkeyPatch, memory_backends: None) -> None:
    """Each test starts with no process keyring; whatever another tier installed is restored afterwards."""
    monkeypatch.setattr(keys_module, "_process", keys_module._ProcessKeys())
    monkeypatch.setattr(secret_manager_module, "_secret_manager", None)


@pytest.fixture
async def keys_db(db: Database) -> Database:
    """The rolled-back test database with an empty signing_keys table (rows other tiers committed are hidden)."""
    async with db.session() as session:
        await session.execute(text("DELETE FROM signing_keys"))
    return db


@pytest.fixture
async def empty_committed_db(committed_db: Database) -> AsyncIterator[Database]:
    async with committed_db.session() as session:
        await session.execute(text("DELETE FROM signing_keys"))
    yield committed_db


async def rows(db: Database) -> list[dict[str, Any]]:
    async with db.session() as session:
        result = await session.execute(
            text(
                "SELECT kid, state, public_pem, private_key_encrypted, secret_ref, created_at, rotated_at "
                "FROM signing_keys ORDER BY created_at"
            )
        )
        return [dict(row._mapping) for row in result]


def token_for(keyring: KeyRing, subject: str = "user-1") -> str:
    return issue_access_token(subject=subject, claims={"org_id": "org-1"}, keyring=keyring).token


# --- creation and storage --------------------------------------------------------------------------


async def test_first_load_creates_one_key_and_later_loads_reuse_it(keys_db: Database) -> None:
    first = await load_keyring(keys_db)
    assert get_keyring() is first
    set_keyring(None)
    second = await load_keyring(keys_db)
    assert second.current_kid == first.current_kid
    stored = await rows(keys_db)
    assert [(r["kid"], r["state"]) for r in stored] == [(first.current_kid, "current")]
    token = token_for(first)
    assert (await verify_access_token(token, keyring=second))["sub"] == "user-1"


async def test_private_key_is_stored_encrypted(keys_db: Database) -> None:
    keyring = await load_keyring(keys_db)
    (row,) = await rows(keys_db)
    blob = bytes(row["private_key_encrypted"])
    pem = keyring.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    der = keyring.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert b"PRIVATE KEY" not in blob
    assert pem not in blob and der not in blob
    assert pem.splitlines()[1] not in blob  # not even one line of the base64 body
    assert row["secret_ref"] is None
    assert "PRIVATE" not in row["public_pem"]
    # It is the real key, under the master key, bound to its own row.
    assert decrypt(blob, associated_data=f"signing_keys:{row['kid']}".encode()) == pem


async def test_load_without_create_refuses_an_empty_table(keys_db: Database) -> None:
    with pytest.raises(RuntimeError, match="no current signing key"):
        await load_keyring(keys_db, create=False)
    assert await rows(keys_db) == []


async def test_an_encrypted_key_moved_to_another_row_does_not_load(keys_db: Database) -> None:
    await load_keyring(keys_db)
    await rotate_keys(keys_db)
    async with keys_db.session() as session:
        await session.execute(
            text(
                "UPDATE signing_keys SET private_key_encrypted = "
                "(SELECT private_key_encrypted FROM signing_keys WHERE state = 'previous') WHERE state = 'current'"
            )
        )
    set_keyring(None)
    with pytest.raises(RuntimeError, match="altered data"):
        await load_keyring(keys_db)


# --- rotation --------------------------------------------------------------------------------------


async def test_a_token_survives_one_rotation_but_not_two(keys_db: Database) -> None:
    first = await load_keyring(keys_db)
    token_1 = token_for(first)

    kid_2 = await rotate_keys(keys_db)
    after_one = get_keyring()
    assert after_one.current_kid == kid_2 != first.current_kid
    assert jwt.get_unverified_header(token_for(after_one))["kid"] == kid_2, "new tokens use the new key"
    assert (await verify_access_token(token_1))["sub"] == "user-1", "signed before one rotation: still valid"
    token_2 = token_for(after_one)

    kid_3 = await rotate_keys(keys_db)
    with pytest.raises(Unauthorized) as caught:
        await verify_access_token(token_1)
    assert caught.value.code == "invalid_token"
    assert (await verify_access_token(token_2))["sub"] == "user-1"
    assert get_keyring().kids == (kid_3, kid_2)

    states = {r["kid"]: r["state"] for r in await rows(keys_db)}
    assert states == {first.current_kid: "retired", kid_2: "previous", kid_3: "current"}


async def test_retired_keys_lose_their_private_half_and_leave_the_jwks(keys_db: Database) -> None:
    first = await load_keyring(keys_db)
    await rotate_keys(keys_db)
    await rotate_keys(keys_db)
    retired = next(r for r in await rows(keys_db) if r["kid"] == first.current_kid)
    assert retired["private_key_encrypted"] is None
    assert retired["rotated_at"] is not None
    assert first.current_kid not in [k["kid"] for k in get_keyring().jwks()["keys"]]
    assert len(get_keyring().jwks()["keys"]) == 2


async def test_a_second_keyring_loaded_after_rotation_verifies_the_firsts_tokens(keys_db: Database) -> None:
    first = await load_keyring(keys_db)
    token = token_for(first)
    await rotate_keys(keys_db)
    set_keyring(None)  # another process, starting after the rotation
    second = await load_keyring(keys_db)
    assert second is not first and second.current_kid != first.current_kid
    assert (await verify_access_token(token, keyring=second))["sub"] == "user-1"
    assert (await verify_access_token(token_for(second), keyring=second))["sub"] == "user-1"


async def test_a_process_with_stale_keys_accepts_a_token_signed_with_a_brand_new_key(keys_db: Database) -> None:
    """Another process rotated and signed at once; this one learns the new kid from the token, not 30 s later."""
    stale = await load_keyring(keys_db)
    new_kid = await rotate_keys(keys_db)
    fresh = get_keyring()
    set_keyring(stale)
    verified = await verify_access_token(token_for(fresh, subject="user-9"))
    assert verified["sub"] == "user-9"
    assert get_keyring().current_kid == new_kid


async def test_forged_kids_reload_the_keys_at_most_once_a_second(
    keys_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring = await load_keyring(keys_db)
    attacker = KeyRing.generate()
    calls = 0
    real_load = keys_module.load_keyring

    async def counting_load(db: Database, *, create: bool = True) -> KeyRing:
        nonlocal calls
        calls += 1
        return await real_load(db, create=create)

    monkeypatch.setattr(keys_module, "load_keyring", counting_load)
    for _ in range(20):
        with pytest.raises(Unauthorized):
            await verify_access_token(token_for(attacker))
    assert calls == 1
    assert get_keyring().current_kid == keyring.current_kid


async def test_rotation_when_due(keys_db: Database) -> None:
    first = await load_keyring(keys_db)
    assert await rotate_keys_if_due(keys_db) is None, "a fresh key is not rotated"
    async with keys_db.session() as session:
        await session.execute(
            text("UPDATE signing_keys SET created_at = now() - make_interval(days => :days) WHERE state = 'current'"),
            {"days": get_settings().key_rotation_days + 1},
        )
    new_kid = await rotate_keys_if_due(keys_db)
    assert new_kid is not None and new_kid != first.current_kid
    assert get_keyring().current_kid == new_kid
    assert await rotate_keys_if_due(keys_db) is None


async def test_rotation_on_an_empty_table_creates_the_first_key(keys_db: Database) -> None:
    kid = await rotate_keys(keys_db)
    assert [(r["kid"], r["state"]) for r in await rows(keys_db)] == [(kid, "current")]


async def test_daily_task_is_registered_rotates_only_when_due_and_audits(keys_db: Database) -> None:
    from backend.jobs import job_app
    from backend.tenancy.tasks import rotate_signing_keys_if_due

    periodic = job_app.periodic_registry.periodic_tasks[
        ("tenancy.rotate_signing_keys_if_due", "tenancy-rotate-signing-keys")
    ]
    assert periodic.cron == "17 3 * * *"
    await load_keyring(keys_db)
    assert await rotate_signing_keys_if_due(timestamp=int(time.time())) is None
    async with keys_db.session() as session:
        await session.execute(text("UPDATE signing_keys SET created_at = now() - interval '1000 days'"))
    new_kid = await rotate_signing_keys_if_due(timestamp=int(time.time()))
    assert new_kid is not None and get_keyring().current_kid == new_kid
    async with keys_db.session() as session:
        audited = (
            await session.execute(
                text("SELECT target, details->>'reason' FROM audit_log WHERE action = 'keys.rotated'")
            )
        ).all()
    assert [tuple(row) for row in audited] == [(new_kid, "scheduled")], "a system-wide entry every org admin sees"


# --- refreshing ------------------------------------------------------------------------------------


async def test_refresh_rereads_only_when_stale(keys_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = await load_keyring(keys_db)
    new_kid = await rotate_keys(keys_db)
    set_keyring(stale)  # as if another process had rotated
    monkeypatch.setattr(get_settings(), "key_refresh_seconds", 3600.0)
    assert await refresh_keyring_if_stale(keys_db) is stale
    monkeypatch.setattr(get_settings(), "key_refresh_seconds", 0.0)
    refreshed = await refresh_keyring_if_stale(keys_db)
    assert refreshed.current_kid == new_kid
    assert get_keyring() is refreshed


async def test_refresh_reuses_the_decrypted_private_key(keys_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    first = await load_keyring(keys_db)
    monkeypatch.setattr(get_settings(), "key_refresh_seconds", 0.0)

    async def no_decryption(row: object) -> None:
        raise AssertionError("the current key was decrypted again")

    monkeypatch.setattr(key_store, "private_key_of", no_decryption)
    refreshed = await refresh_keyring_if_stale(keys_db)
    assert refreshed is not first and refreshed.private_key is first.private_key


class _UnreachableDatabase:
    def session(self, **_: object) -> Any:
        raise ConnectionError("database is down")


async def test_refresh_keeps_the_keys_in_memory_when_the_database_is_down(
    keys_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring = await load_keyring(keys_db)
    monkeypatch.setattr(get_settings(), "key_refresh_seconds", 0.0)
    assert await refresh_keyring_if_stale(_UnreachableDatabase()) is keyring  # type: ignore[arg-type]
    set_keyring(None)
    with pytest.raises(ConnectionError):
        await refresh_keyring_if_stale(_UnreachableDatabase())  # type: ignore[arg-type]


# --- concurrency ------------------------------------------------------------------------------------


async def test_concurrent_first_start_creates_exactly_one_key(
    empty_committed_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="backend.auth.keyring")
    keyrings = await asyncio.gather(*(load_keyring(empty_committed_db) for _ in range(4)))
    assert len({k.current_kid for k in keyrings}) == 1
    assert [r["state"] for r in await rows(empty_committed_db)] == ["current"]
    # All four read an empty table before any inserted, so the losing inserts really hit the unique index.
    messages = [r.getMessage() for r in caplog.records]
    assert messages.count("created the first signing key") == 1
    assert messages.count("another process created the first signing key first") == 3


_START_SCRIPT = """
import asyncio, sys, time
from backend.auth.keys import load_keyring
from backend.core.config import get_settings
from backend.core.db import Database, create_engine

async def main() -> None:
    db = Database(create_engine(get_settings().app_database_url(), pool_size=1, max_overflow=0))
    await asyncio.sleep(max(0.0, float(sys.argv[1]) - time.time()))
    keyring = await load_keyring(db)
    print(keyring.current_kid)
    await db.dispose()

asyncio.run(main())
"""


async def test_processes_starting_together_agree_on_one_key(empty_committed_db: Database) -> None:
    start_at = time.time() + 6  # every process has imported everything by then, so their reads coincide
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _START_SCRIPT, str(start_at)],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [await asyncio.to_thread(p.communicate, timeout=60) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    kids = {out.strip() for out, _ in outputs}
    assert len(kids) == 1
    stored = await rows(empty_committed_db)
    assert [(r["kid"], r["state"]) for r in stored] == [(kids.pop(), "current")]


async def test_concurrent_due_rotations_rotate_once(empty_committed_db: Database) -> None:
    await load_keyring(empty_committed_db)
    async with empty_committed_db.session() as session:
        await session.execute(text("UPDATE signing_keys SET created_at = now() - interval '1000 days'"))
    results = await asyncio.gather(*(rotate_keys_if_due(empty_committed_db) for _ in range(3)))
    assert len([kid for kid in results if kid is not None]) == 1
    assert sorted(r["state"] for r in await rows(empty_committed_db)) == ["current", "previous"]


# --- Google Secret Manager backend ------------------------------------------------------------------


@pytest.fixture
def secret_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSecretManager]:
    with running_fake_secret_manager() as (url, fake):
        monkeypatch.setattr(get_settings(), "key_backend", "gcp_secret_manager")
        set_secret_manager(SecretManager(project=fake.project_id, base_url=url, token_provider=fake_token))
        yield fake


async def test_secret_manager_holds_the_private_key_and_the_row_only_refers_to_it(
    keys_db: Database, secret_manager: FakeSecretManager
) -> None:
    keyring = await load_keyring(keys_db)
    (row,) = await rows(keys_db)
    assert row["private_key_encrypted"] is None
    secret_id = f"{get_settings().gcp_secret_prefix}-{keyring.current_kid}"
    assert row["secret_ref"].endswith(f"/secrets/{secret_id}/versions/1")
    stored_pem = secret_manager.versions[secret_id][0]
    assert stored_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    stored_key = serialization.load_pem_private_key(stored_pem, None)
    assert isinstance(stored_key, rsa.RSAPrivateKey)
    assert stored_key.public_key().public_numbers() == keyring.private_key.public_key().public_numbers()
    token = token_for(keyring)

    set_keyring(None)  # another process reads the key back from Secret Manager
    reads_before = sum(1 for method, _ in secret_manager.requests if method == "GET")
    second = await load_keyring(keys_db)
    assert sum(1 for method, _ in secret_manager.requests if method == "GET") == reads_before + 1
    assert (await verify_access_token(token, keyring=second))["sub"] == "user-1"


async def test_secret_manager_rotation_deletes_retired_secrets(
    keys_db: Database, secret_manager: FakeSecretManager
) -> None:
    first = await load_keyring(keys_db)
    token = token_for(first)
    kid_2 = await rotate_keys(keys_db)
    assert (await verify_access_token(token))["sub"] == "user-1"
    kid_3 = await rotate_keys(keys_db)
    prefix = get_settings().gcp_secret_prefix
    assert set(secret_manager.secrets) == {f"{prefix}-{kid_2}", f"{prefix}-{kid_3}"}
    with pytest.raises(Unauthorized):
        await verify_access_token(token)


async def test_secret_manager_failure_at_first_start_writes_no_row(
    keys_db: Database, secret_manager: FakeSecretManager
) -> None:
    async def expired() -> str:
        return "expired"

    set_secret_manager(
        SecretManager(project=secret_manager.project_id, base_url=secret_manager.base_url, token_provider=expired)
    )
    with pytest.raises(SecretManagerError):
        await load_keyring(keys_db)
    assert await rows(keys_db) == []


async def test_many_requests_finding_the_keys_stale_reload_them_once(
    keys_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await load_keyring(keys_db)
    calls = 0
    real_load = keys_module.load_keyring

    async def counting_load(db: Database, *, create: bool = True) -> KeyRing:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)  # a slow database: the other requests pile up behind the first
        return await real_load(db, create=create)

    monkeypatch.setattr(keys_module, "load_keyring", counting_load)
    monkeypatch.setattr(keys_module._process, "checked_at", float("-inf"))
    keyrings = await asyncio.gather(*(refresh_keyring_if_stale(keys_db) for _ in range(10)))
    assert calls == 1
    assert len({id(k) for k in keyrings}) == 1
