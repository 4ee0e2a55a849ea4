"""The process keyring: the live keys one process signs and verifies with, loaded at start-up (the first key
is created on the very first start) and kept fresh.

Every process holds the live keys in memory (`KeyRing`), so verifying a token never touches the database.
A process notices another process's rotation in two ways: `refresh_keyring_if_stale` re-reads the table
every KEY_REFRESH_SECONDS, and a token whose `kid` is unknown triggers one re-read (at most once a
second), so a token signed by a key minted a moment ago elsewhere is not refused in between.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.exc import IntegrityError

from backend.auth import key_store
from backend.auth.jwk import generate_private_key, key_id, load_public_pem, public_jwk
from backend.auth.models import SigningKey
from backend.core.config import get_settings
from backend.core.db import Database

logger = logging.getLogger(__name__)

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
        private_key = await key_store.private_key_of(current)
    previous_keys = {previous.kid: load_public_pem(previous.public_pem)} if previous is not None else {}
    return KeyRing(current_kid=current.kid, private_key=private_key, previous=previous_keys)


async def _create_first_key(db: Database) -> None:
    new = await key_store.new_key()
    try:
        async with db.session() as session:
            session.add(new.row("current"))
    except IntegrityError:
        # Another process created the first key between our read and our insert (the partial unique index
        # on state='current' admits one); theirs stands, and the caller reads it.
        await key_store.discard(new)
        logger.info("another process created the first signing key first")
        return
    logger.info("created the first signing key", extra={"kid": new.kid})


async def load_keyring(db: Database, *, create: bool = True) -> KeyRing:
    """Read the live keys, creating the first one if there is none and `create`; install and return the keyring.

    Safe to run in many processes at once on an empty table: exactly one key is created and all of them
    end up with it.
    """
    for _ in range(_CREATE_ATTEMPTS):
        rows = await key_store.live_rows(db)
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


__all__ = [
    "KeyRing",
    "get_keyring",
    "load_keyring",
    "refresh_keyring_if_stale",
    "reload_for_unknown_kid",
    "set_keyring",
]
