"""Key rotation (default every KEY_ROTATION_DAYS): previous → retired, current → previous, a new current.

Two key pairs are live. `current` signs; `previous` (current until the last rotation) only verifies, so a
token keeps verifying across one rotation and stops after the second. Older keys are `retired`: their
rows stay for the record, their private halves are erased. Rotations are serialised across processes by a
transaction-scoped advisory lock.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import text, update
from sqlmodel import col

from backend.auth import key_store
from backend.auth.keyring import load_keyring
from backend.auth.models import SigningKey
from backend.core.config import get_settings
from backend.core.db import Database

logger = logging.getLogger(__name__)

# A fixed advisory-lock id serialises rotations across processes (any bigint unlikely to be used elsewhere).
_ROTATION_LOCK_ID = 0x6F62_6A77_6B65_7973


def _is_due(current: SigningKey, max_age: timedelta) -> bool:
    return datetime.now(UTC) - current.created_at >= max_age


async def _rotate(db: Database, *, due_after: timedelta | None) -> str | None:
    # The key (and its secret, with Secret Manager) is made before the transaction, so the lock that
    # serialises rotations is held for a few statements, not for RSA key generation and HTTP calls.
    new = await key_store.new_key()
    retired_secret: str | None = None
    try:
        async with db.session() as session:
            await session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ROTATION_LOCK_ID})
            # Read again under the lock: another process may have rotated while this one generated its key.
            rows = await key_store.read_live(session)
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
        await key_store.discard(new)
        raise
    if new_kid is None:
        await key_store.discard(new)
        return None
    if retired_secret:
        await key_store.delete_secret_quietly(retired_secret)
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
    current = (await key_store.live_rows(db)).get("current")
    if current is not None and not _is_due(current, max_age):
        return None
    return await _rotate(db, due_after=max_age)


__all__ = ["rotate_keys", "rotate_keys_if_due"]
