"""Signing keys: the JWK maths (`jwk`), keys at rest (`key_store`), the process keyring (`keyring`) and
rotation (`rotation`). This module names the public entry points of the four in one place.

Two key pairs are live. `current` signs; `previous` (current until the last rotation) only verifies, so a
token keeps verifying across one rotation and stops after the second. Older keys are `retired`: their
rows stay for the record, their private halves are erased. Private keys are stored AES-GCM encrypted under
the master key, or, with KEY_BACKEND=gcp_secret_manager, as Secret Manager versions that the row only
references.
"""

from __future__ import annotations

from backend.auth.jwk import ALGORITHM, KEY_BITS, generate_private_key, key_id, public_jwk
from backend.auth.keyring import (
    KeyRing,
    get_keyring,
    load_keyring,
    refresh_keyring_if_stale,
    reload_for_unknown_kid,
    set_keyring,
)
from backend.auth.rotation import rotate_keys, rotate_keys_if_due

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
