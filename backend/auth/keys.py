"""Signing keys: the process keyring, first-start creation, rotation, and the JWKS.

Two key pairs are live. `current` signs; `previous` (current until the last rotation) only verifies, so a
token keeps verifying across one rotation and stops after the second. Older keys are `retired`: their
rows stay for the record, their private halves are erased.

Every process holds the live keys in memory (`KeyRing`), so verifying a token never touches the database.
A process notices another process's rotation in two ways: `refresh_keyring_if_stale` re-reads the table
every KEY_REFRESH_SECONDS, and a token whose `kid` is unknown triggers one re-read (at most once a
second), so a token signed by a key minted a moment ago elsewhere is not refused in between.

Private keys are stored AES-GCM encrypted under the master key, or, with KEY_BACKEND=gcp_secret_manager,
as Secret Manager versions that the row only references.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from backend.auth import crypto
from backend.auth.models import SigningKey
from backend.auth.secret_manager import get_secret_manager
from backend.core.config import get_settings
from backend.core.db import Database

logger = logging.getLogger(__name__)

ALGORITHM = "RS256"
# 2048 bits is the RS256 norm (RFC 7518 requires at least that) and ample for a key that signs for one
# rotation period and verifies for one more; verification runs on every request and its cost grows with
# the modulus.
KEY_BITS = 2048
_PUBLIC_EXPONENT = 65537
# A fixed advisory-lock id serialises rotations across processes (any bigint unlikely to be used elsewhere).
_ROTATION_LOCK_ID = 0x6F62_6A77_6B65_7973
_CREATE_ATTEMPTS = 5
# An unknown kid re-reads the keys at most this often, so forged kids cannot turn into a query per request.
_UNKNOWN_KID_RELOAD_SECONDS = 1.0
# Kids are RFC 7638 thumbprints (43 base64url characters); anything else cannot be ours and never reloads.
_KID_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


class KeyRing:
    """The keys one process signs and verifies with: the current private key, current and previous public keys.

    Immutable once built; a reload builds a new one and swaps it in, so readers never see a half-update.
    """

    def __init__(
        self,
        *,
        current_kid: str,
        private_key: rsa.RSAPrivateKey,
        previous: Mapping[str, rsa.RSAPublicKey] | None = None,
    ) -> None:
        self.current_kid = current_kid
        self._private_key = private_key
        self._public_keys: dict[str, rsa.RSAPublicKey] = {current_kid: private_key.public_key(), **(previous or {})}
        self.loaded_at = time.monotonic()
        self._jwks: dict[str, Any] | None = None

    @classmethod
    def generate(cls) -> KeyRing:
        """A keyring with one fresh key held only in memory (tests, benchmarks, one-off tools)."""
        private_key = generate_private_key()
        return cls(current_kid=key_id(private_key.public_key()), private_key=private_key)

    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        """The current key's private half: the only key this process signs with."""
        return self._private_key

    @property
    def kids(self) -> tuple[str, ...]:
        """Ids of every key that verifies, current first."""
        return tuple(self._public_keys)

    def public_key(self, kid: str) -> rsa.RSAPublicKey | None:
        """The public key with this id, or None when it is not live (unknown, or retired)."""
        return self._public_keys.get(kid)

    def jwks(self) -> dict[str, Any]:
        """The live public keys as a JSON Web Key Set, for `/.well-known/jwks.json`."""
        if self._jwks is None:
            self._jwks = {"keys": [public_jwk(kid, key) for kid, key in self._public_keys.items()]}
        return self._jwks

    def __repr__(self) -> str:
        return f"KeyRing(current_kid={self.current_kid!r}, kids={list(self._public_keys)!r})"


def generate_private_key() -> rsa.RSAPrivateKey:
    """A new RSA key for RS256 (CPU-heavy: about 0.1 s; call it in a thread from async code)."""
    return rsa.generate_private_key(public_exponent=_PUBLIC_EXPONENT, key_size=KEY_BITS)


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes(max(1, math.ceil(value.bit_length() / 8)), "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(kid: str, public_key: rsa.RSAPublicKey) -> dict[str, str]:
    """An RSA public key as a JWK (RFC 7517) usable only to verify RS256 signatures."""
    numbers = public_key.public_numbers()
    return {
        "kty": "RSA",
        "kid": kid,
        "alg": ALGORITHM,
        "use": "sig",
        "n": _b64url_uint(numbers.n),
        "e": _b64url_uint(numbers.e),
    }


def key_id(public_key: rsa.RSAPublicKey) -> str:
    """The RFC 7638 thumbprint of the key: derived from the key itself, so a kid cannot name another key."""
    numbers = public_key.public_numbers()
    canonical = json.dumps(
        {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)}, separators=(",", ":")
    )
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


# --- storage --------------------------------------------------------------------------------------


def _associated_data(kid: str) -> bytes:
    # Binds the ciphertext to its row: a blob copied onto another key's row fails to decrypt.
    return f"signing_keys:{kid}".encode()


def _load_public(pem: str) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise RuntimeError("a stored signing key is not an RSA key")
    return key


@dataclass(frozen=True)
class _NewKey:
    """A freshly generated key whose private half is already stored (encrypted, or in Secret Manager)."""

    kid: str
    private_key: rsa.RSAPrivateKey
    public_pem: str
    private_key_encrypted: bytes | None
    secret_ref: str | None

    def row(self, state: str) -> SigningKey:
        return SigningKey(
            kid=self.kid,
            algorithm=ALGORITHM,
            public_pem=self.public_pem,
            private_key_encrypted=self.private_key_encrypted,
            secret_ref=self.secret_ref,
            state=state,
            created_at=datetime.now(UTC),
        )


async def _new_key() -> _NewKey:
    private_key = await asyncio.to_thread(generate_private_key)
    kid = key_id(private_key.public_key())
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = get_settings()
    if settings.key_backend == "gcp_secret_manager":
        ref = await get_secret_manager().store(
            f"{settings.gcp_secret_prefix}-{kid}", private_pem, labels={"app": "obelisk", "purpose": "jwt-signing"}
        )
        return _NewKey(kid, private_key, public_pem, None, ref)
    encrypted = crypto.encrypt(private_pem, associated_data=_associated_data(kid))
    return _NewKey(kid, private_key, public_pem, encrypted, None)


async def _delete_secret_quietly(secret_ref: str) -> None:
    # The key is already unusable for signing; a secret left behind is clutter, not a failure to report
    # to the caller.
    try:
        await get_secret_manager().delete_secret_of(secret_ref)
    except Exception:
        logger.warning("could not delete a signing key's secret", extra={"secret_ref": secret_ref}, exc_info=True)


async def _discard(new: _NewKey) -> None:
    """Undo the part of a new key that lives outside the table, when its row was never written."""
    if new.secret_ref:
        await _delete_secret_quietly(new.secret_ref)


async def _private_key_of(row: SigningKey) -> rsa.RSAPrivateKey:
    if row.secret_ref:
        pem = await get_secret_manager().access(row.secret_ref)
    elif row.private_key_encrypted:
        pem = crypto.decrypt(row.private_key_encrypted, associated_data=_associated_data(row.kid))
    else:
        raise RuntimeError(f"signing key {row.kid} has no private key stored")
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise RuntimeError(f"signing key {row.kid} is not an RSA key")
    if key.public_key().public_numbers() != _load_public(row.public_pem).public_numbers():
        raise RuntimeError(f"the private key stored for signing key {row.kid} does not match its public key")
    return key


async def _read_live(session: AsyncSession) -> dict[str, SigningKey]:
    result = await session.execute(select(SigningKey).where(col(SigningKey.state).in_(("current", "previous"))))
    return {row.state: row for row in result.scalars()}


async def _live_rows(db: Database) -> dict[str, SigningKey]:
    async with db.session() as session:
        return await _read_live(session)


# --- the process keyring ----------------------------------------------------------------------------


class _ProcessKeys:
    """What this process knows: its keyring, where it came from, and when the keys were last read."""

    def __init__(self) -> None:
        self.keyring: KeyRing | None = None
        self.db: Database | None = None
        self.checked_at = -math.inf
        self.unknown_kid_reload_at = -math.inf
        self.lock: asyncio.Lock | None = None
        self.lock_loop: asyncio.AbstractEventLoop | None = None


_process = _ProcessKeys()


def get_keyring() -> KeyRing:
    """The process keyring; RuntimeError when `load_keyring` has not run (a start-up ordering bug)."""
    if _process.keyring is None:
        raise RuntimeError("the signing keys are not loaded: call backend.auth.keys.load_keyring(db) at start-up")
    return _process.keyring


def set_keyring(keyring: KeyRing | None) -> None:
    """Install a keyring as the process's (tests, tools); None forgets it and the database it came from."""
    global _process
    if keyring is None:
        _process = _ProcessKeys()
    else:
        _process.keyring = keyring
        _process.checked_at = time.monotonic()


def _install(keyring: KeyRing, db: Database) -> None:
    _process.keyring = keyring
    _process.db = db
    _process.checked_at = time.monotonic()


async def _build_keyring(current: SigningKey, previous: SigningKey | None) -> KeyRing:
    existing = _process.keyring
    # Same kid means the same public key (the kid is its thumbprint), and the private key in hand was checked
    # against it when loaded: skip the decryption (or the Secret Manager call) on every refresh.
    if existing is not None and existing.current_kid == current.kid:
        private_key = existing.private_key
    else:
        private_key = await _private_key_of(current)
    previous_keys = {previous.kid: _load_public(previous.public_pem)} if previous is not None else {}
    return KeyRing(current_kid=current.kid, private_key=private_key, previous=previous_keys)


async def _create_first_key(db: Database) -> None:
    new = await _new_key()
    try:
        async with db.session() as session:
            session.add(new.row("current"))
    except IntegrityError:
        # Another process created the first key between our read and our insert (the partial unique index
        # on state='current' admits one); theirs stands, and the caller reads it.
        await _discard(new)
        logger.info("another process created the first signing key first")
        return
    logger.info("created the first signing key", extra={"kid": new.kid})


async def load_keyring(db: Database, *, create: bool = True) -> KeyRing:
    """Read the live keys, creating the first one if there is none and `create`; install and return the keyring.

    Safe to run in many processes at once on an empty table: exactly one key is created and all of them
    end up with it.
    """
    for _ in range(_CREATE_ATTEMPTS):
        rows = await _live_rows(db)
        current = rows.get("current")
        if current is not None:
            keyring = await _build_keyring(current, rows.get("previous"))
            _install(keyring, db)
            return keyring
        if not create:
            raise RuntimeError("there is no current signing key; start the app once or rotate the keys")
        await _create_first_key(db)
    raise RuntimeError("could not create or read the first signing key")


async def refresh_keyring_if_stale(db: Database) -> KeyRing:
    """The process keyring, re-read from the database when older than KEY_REFRESH_SECONDS.

    Cheap enough to call on every request: it reads the clock, and queries only when the keys are due.
    When the re-read fails (database unreachable) the keys in memory stay in use and the next try waits
    another interval, so verification keeps working through a database blip.
    """
    interval = get_settings().key_refresh_seconds
    if _process.keyring is not None and time.monotonic() - _process.checked_at < interval:
        return _process.keyring
    loop = asyncio.get_running_loop()
    if _process.lock is None or _process.lock_loop is not loop:
        # A lock belongs to one event loop; a process that runs several loops in turn (CLI, tests) gets a new one.
        _process.lock, _process.lock_loop = asyncio.Lock(), loop
    async with _process.lock:
        keyring = _process.keyring
        if keyring is not None and time.monotonic() - _process.checked_at < interval:
            return keyring  # another request refreshed while this one waited
        try:
            return await load_keyring(db, create=keyring is None)
        except Exception:
            if keyring is None:
                raise
            _process.checked_at = time.monotonic()
            logger.warning("could not re-read the signing keys; keeping the ones in memory", exc_info=True)
            return keyring


async def reload_for_unknown_kid(kid: str) -> KeyRing | None:
    """Re-read the keys because a token names a key this process does not know; the new keyring if it does now.

    Covers the moments after another process rotated and signed with its new key. Only kids shaped like
    ours trigger it, at most once a second, and only when the keyring was loaded from a database.
    """
    db = _process.db
    now = time.monotonic()
    recently = now - _process.unknown_kid_reload_at < _UNKNOWN_KID_RELOAD_SECONDS
    if db is None or recently or not _KID_PATTERN.fullmatch(kid):
        return None
    _process.unknown_kid_reload_at = now
    try:
        keyring = await load_keyring(db, create=False)
    except Exception:
        logger.warning("could not re-read the signing keys for an unknown kid", exc_info=True)
        return None
    return keyring if keyring.public_key(kid) is not None else None


# --- rotation -------------------------------------------------------------------------------------


def _is_due(current: SigningKey, max_age: timedelta) -> bool:
    return datetime.now(UTC) - current.created_at >= max_age


async def _rotate(db: Database, *, due_after: timedelta | None) -> str | None:
    # The key (and its secret, with Secret Manager) is made before the transaction, so the lock that
    # serialises rotations is held for a few statements, not for RSA key generation and HTTP calls.
    new = await _new_key()
    retired_secret: str | None = None
    try:
        async with db.session() as session:
            await session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ROTATION_LOCK_ID})
            # Read again under the lock: another process may have rotated while this one generated its key.
            rows = await _read_live(session)
            current, previous = rows.get("current"), rows.get("previous")
            if due_after is not None and current is not None and not _is_due(current, due_after):
                new_kid = None
            else:
                retired_secret = previous.secret_ref if previous is not None else None
                # Statement order matters: each partial unique index admits one row per state at every step.
                await session.execute(
                    update(SigningKey)
                    .where(col(SigningKey.state) == "previous")
                    .values(state="retired", private_key_encrypted=None)
                )
                await session.execute(
                    update(SigningKey)
                    .where(col(SigningKey.state) == "current")
                    .values(state="previous", rotated_at=datetime.now(UTC))
                )
                session.add(new.row("current"))
                new_kid = new.kid
    except BaseException:
        await _discard(new)
        raise
    if new_kid is None:
        await _discard(new)
        return None
    if retired_secret:
        await _delete_secret_quietly(retired_secret)
    logger.info("rotated the signing keys", extra={"kid": new_kid})
    await load_keyring(db, create=False)
    return new_kid


async def rotate_keys(db: Database) -> str:
    """Rotate now: previous -> retired, current -> previous, a new current. Returns the new kid.

    Tokens signed by the old current key keep verifying until they expire; tokens signed by the old
    previous key stop verifying. The process keyring is reloaded; other processes notice within
    KEY_REFRESH_SECONDS (or at once, when one of the new tokens reaches them).
    """
    new_kid = await _rotate(db, due_after=None)
    if new_kid is None:  # an unconditional rotation always installs its key
        raise RuntimeError("the signing keys were not rotated")
    return new_kid


async def rotate_keys_if_due(db: Database, *, max_age: timedelta | None = None) -> str | None:
    """Rotate when the current key is older than `max_age` (default KEY_ROTATION_DAYS); the new kid, or None.

    Several workers running this at once rotate once: the age is checked again under the rotation lock.
    """
    max_age = max_age if max_age is not None else timedelta(days=get_settings().key_rotation_days)
    current = (await _live_rows(db)).get("current")
    if current is not None and not _is_due(current, max_age):
        return None
    return await _rotate(db, due_after=max_age)


__all__ = [
    "ALGORITHM",
    "KEY_BITS",
    "KeyRing",
    "generate_private_key",
    "get_keyring",
    "key_id",
    "load_keyring",
    "public_jwk",
    "refresh_keyring_if_stale",
    "reload_for_unknown_kid",
    "rotate_keys",
    "rotate_keys_if_due",
    "set_keyring",
]
