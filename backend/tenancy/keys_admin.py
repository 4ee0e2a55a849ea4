"""Signing-key rotation with its audit entry (the auth package rotates; tenancy owns the audit log)."""

from __future__ import annotations

from backend.auth.keys import rotate_keys, rotate_keys_if_due
from backend.core.db import get_database
from backend.tenancy import audit


async def rotate_and_audit(*, only_if_due: bool = False, reason: str = "manual") -> str | None:
    """Rotate the signing keys (when due, with `only_if_due`) and record a system-wide audit entry.

    Returns the new current kid, or None when nothing was due. Tokens signed with the key that just became
    "previous" keep verifying until they expire; those signed two rotations ago no longer do.
    """
    database = get_database()
    kid = await (rotate_keys_if_due(database) if only_if_due else rotate_keys(database))
    if kid is not None:
        # No organization: a key rotation concerns every organization, and each one's admins see it.
        async with database.session() as session:
            await audit.record(
                session, organization_id=None, actor=None, action="keys.rotated", target=kid, details={"reason": reason}
            )
    return kid
