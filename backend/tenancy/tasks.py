"""Durable job tasks of tenancy: the daily signing-key rotation check, audited."""

from __future__ import annotations

from backend.jobs import job_app
from backend.tenancy.keys_admin import rotate_and_audit


# Checked daily rather than scheduled every KEY_ROTATION_DAYS: a cron cannot say "90 days after the last
# rotation", and a missed night (no worker running) is caught up the next day.
@job_app.periodic(cron="17 3 * * *", periodic_id="tenancy-rotate-signing-keys")
@job_app.task(name="tenancy.rotate_signing_keys_if_due", pass_context=False, queueing_lock="rotate-signing-keys")
async def rotate_signing_keys_if_due(timestamp: int) -> str | None:
    """Rotate when the current key is older than KEY_ROTATION_DAYS; the new kid, or None when not due."""
    return await rotate_and_audit(only_if_due=True, reason="scheduled")
