"""Argon2id password hashing and the rules a new password must meet."""

from __future__ import annotations

import pytest

from backend.auth.passwords import (
    MAX_PASSWORD_LENGTH,
    burn_verification_time,
    hash_password,
    needs_rehash,
    validate_password,
    verify_password,
)
from backend.core.errors import ValidationFailed


async def test_hash_verifies_the_right_password_only() -> None:
    hashed = await hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert await verify_password(hashed, "correct horse battery")
    assert not await verify_password(hashed, "correct horse battery ")
    assert not await verify_password(hashed, "Correct horse battery")


async def test_same_password_hashes_differently() -> None:
    assert await hash_password("correct horse battery") != await hash_password("correct horse battery")


async def test_malformed_stored_hash_is_a_mismatch_not_a_crash() -> None:
    for stored in ("", "plaintext", "$argon2id$v=19$m=1,t=1,p=1$bad$bad"):
        assert not await verify_password(stored, "whatever123")


async def test_absurdly_long_password_is_refused_without_hashing() -> None:
    hashed = await hash_password("correct horse battery")
    assert not await verify_password(hashed, "x" * (MAX_PASSWORD_LENGTH + 1))


@pytest.mark.parametrize(
    ("password", "code"),
    [("short", "weak_password"), ("        ", "weak_password"), ("x" * (MAX_PASSWORD_LENGTH + 1), "password_too_long")],
)
def test_weak_passwords_are_refused_with_a_clear_message(password: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_password(password)
    assert caught.value.code == code
    assert caught.value.status_code == 422
    assert "password" in caught.value.message.lower()


async def test_current_hashes_need_no_rehash_and_weaker_ones_do() -> None:
    from argon2 import PasswordHasher

    assert not needs_rehash(await hash_password("correct horse battery"))
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("correct horse battery")
    assert needs_rehash(weak)
    assert needs_rehash("not a hash")


async def test_burning_verification_time_does_not_raise() -> None:
    await burn_verification_time("anything at all")
