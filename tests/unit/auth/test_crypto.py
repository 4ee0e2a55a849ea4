"""AES-GCM secrets at rest: round trip, and any alteration (data, row binding, key) is detected."""

from __future__ import annotations

import os

import pytest

from backend.auth.crypto import decrypt, encrypt

KEY = os.urandom(32)
SECRET = b"-----BEGIN PRIVATE KEY-----\nnot really\n-----END PRIVATE KEY-----\n"


def test_round_trip() -> None:
    blob = encrypt(SECRET, associated_data=b"row-1", key=KEY)
    assert decrypt(blob, associated_data=b"row-1", key=KEY) == SECRET


def test_ciphertext_reveals_nothing_and_never_repeats() -> None:
    first = encrypt(SECRET, associated_data=b"row-1", key=KEY)
    second = encrypt(SECRET, associated_data=b"row-1", key=KEY)
    assert first != second, "a fresh nonce per encryption"
    assert b"PRIVATE KEY" not in first


def test_every_flipped_byte_is_detected() -> None:
    blob = encrypt(SECRET, associated_data=b"row-1", key=KEY)
    for index in range(len(blob)):
        altered = bytearray(blob)
        altered[index] ^= 0x80
        with pytest.raises(RuntimeError, match="altered data"):
            decrypt(bytes(altered), associated_data=b"row-1", key=KEY)


def test_blob_moved_to_another_row_does_not_decrypt() -> None:
    blob = encrypt(SECRET, associated_data=b"row-1", key=KEY)
    with pytest.raises(RuntimeError):
        decrypt(blob, associated_data=b"row-2", key=KEY)


def test_wrong_master_key_does_not_decrypt() -> None:
    blob = encrypt(SECRET, associated_data=b"row-1", key=KEY)
    with pytest.raises(RuntimeError, match="wrong MASTER_KEY"):
        decrypt(blob, associated_data=b"row-1", key=os.urandom(32))


@pytest.mark.parametrize("length", [0, 5, 12, 20])
def test_truncated_blob_is_refused(length: int) -> None:
    blob = encrypt(SECRET, associated_data=b"row-1", key=KEY)
    with pytest.raises(RuntimeError):
        decrypt(blob[:length], associated_data=b"row-1", key=KEY)


def test_default_key_is_the_master_key() -> None:
    """Without an explicit key the settings' master key is used (generated into the data dir in tests)."""
    blob = encrypt(SECRET, associated_data=b"row-1")
    assert decrypt(blob, associated_data=b"row-1") == SECRET
    with pytest.raises(RuntimeError):
        decrypt(blob, associated_data=b"row-1", key=KEY)
