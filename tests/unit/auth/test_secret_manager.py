"""The Secret Manager client against a local fake that speaks the REST wire format over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.auth.secret_manager import SecretManager, SecretManagerError

from .fake_secret_manager import PROJECT_NUMBER, FakeSecretManager, fake_token, running_fake_secret_manager

PEM = b"-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n"


@pytest.fixture
def fake() -> Iterator[tuple[str, FakeSecretManager]]:
    with running_fake_secret_manager() as served:
        yield served


def client(url: str, **overrides: object) -> SecretManager:
    options: dict[str, object] = {"project": "obelisk-test", "base_url": url, "token_provider": fake_token}
    options.update(overrides)
    return SecretManager(**options)  # type: ignore[arg-type]


async def test_store_then_access_returns_the_same_bytes(fake: tuple[str, FakeSecretManager]) -> None:
    url, state = fake
    name = await client(url).store("obelisk-jwt-kid1", PEM, labels={"app": "obelisk"})
    assert name == f"projects/{PROJECT_NUMBER}/secrets/obelisk-jwt-kid1/versions/1"
    assert state.secrets["obelisk-jwt-kid1"]["replication"] == {"automatic": {}}
    assert state.secrets["obelisk-jwt-kid1"]["labels"] == {"app": "obelisk"}
    assert await client(url).access(name) == PEM
    assert ("POST", "/v1/projects/obelisk-test/secrets") in state.requests
    assert ("POST", "/v1/projects/obelisk-test/secrets/obelisk-jwt-kid1:addVersion") in state.requests
    assert ("GET", f"/v1/{name}:access") in state.requests


async def test_storing_again_adds_a_version_to_the_existing_secret(fake: tuple[str, FakeSecretManager]) -> None:
    """A retry after a half-finished attempt (secret created, version not added) must not fail on 409."""
    url, _state = fake
    first = await client(url).store("obelisk-jwt-kid1", b"one")
    second = await client(url).store("obelisk-jwt-kid1", b"two")
    assert first.endswith("/versions/1") and second.endswith("/versions/2")
    assert await client(url).access(first) == b"one"
    assert await client(url).access(second) == b"two"


async def test_delete_removes_the_secret_and_tolerates_a_missing_one(fake: tuple[str, FakeSecretManager]) -> None:
    url, state = fake
    name = await client(url).store("obelisk-jwt-kid1", PEM)
    await client(url).delete_secret_of(name)
    assert "obelisk-jwt-kid1" not in state.secrets
    await client(url).delete_secret_of(name)
    with pytest.raises(SecretManagerError, match="404"):
        await client(url).access(name)


async def test_bad_credentials_give_a_clear_error_without_the_payload(fake: tuple[str, FakeSecretManager]) -> None:
    url, _ = fake

    async def wrong_token() -> str:
        return "expired"

    with pytest.raises(SecretManagerError) as caught:
        await client(url, token_provider=wrong_token).store("obelisk-jwt-kid1", PEM)
    assert "401" in str(caught.value) and "UNAUTHENTICATED" in str(caught.value)
    assert "PRIVATE KEY" not in str(caught.value)


async def test_wrong_project_is_refused(fake: tuple[str, FakeSecretManager]) -> None:
    url, _ = fake
    with pytest.raises(SecretManagerError, match="PERMISSION_DENIED"):
        await client(url, project="someone-elses").store("obelisk-jwt-kid1", PEM)


async def test_corrupted_payload_fails_its_checksum(fake: tuple[str, FakeSecretManager]) -> None:
    url, state = fake
    name = await client(url).store("obelisk-jwt-kid1", PEM)
    state.corrupt_reads = True
    with pytest.raises(SecretManagerError, match="CRC32C"):
        await client(url).access(name)


async def test_unreachable_service_is_a_clear_error() -> None:
    with pytest.raises(SecretManagerError, match="unreachable"):
        await client("http://127.0.0.1:9/v1", timeout=2).access("projects/p/secrets/s/versions/1")


def test_a_project_is_required() -> None:
    with pytest.raises(SecretManagerError, match="GCP_SECRET_PROJECT"):
        SecretManager(project="", base_url="http://127.0.0.1:9/v1", token_provider=fake_token)
