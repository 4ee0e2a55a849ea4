"""Fixtures for the auth unit tests: in-memory keys, an in-process cache, and token forging helpers."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from backend.auth import keyring as keys_module
from backend.auth.keys import KeyRing
from backend.core.config import get_settings


@pytest.fixture(scope="session")
def keyring() -> KeyRing:
    """The keys the service under test signs and verifies with (generated once: RSA generation is slow)."""
    return KeyRing.generate()


@pytest.fixture(scope="session")
def attacker_keyring() -> KeyRing:
    """A second, unrelated key pair: what an attacker can generate for themselves."""
    return KeyRing.generate()


@pytest.fixture(autouse=True)
def _isolated(memory_backends: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets an empty in-process cache and no process keyring; the previous one is restored after."""
    monkeypatch.setattr(keys_module, "_process", keys_module._ProcessKeys())


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def rs256_signature(private_key: rsa.RSAPrivateKey, signing_input: str) -> str:
    return b64url(private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()))


def forge(header: dict[str, Any], payload: dict[str, Any], private_key: rsa.RSAPrivateKey | None = None) -> str:
    """A compact JWS built by hand, so tests control every byte (PyJWT refuses to build the bad ones)."""
    signing_input = f"{segment(header)}.{segment(payload)}"
    signature = rs256_signature(private_key, signing_input) if private_key is not None else ""
    return f"{signing_input}.{signature}"


def claims(**overrides: Any) -> dict[str, Any]:
    """A complete, currently valid claim set as the service issues it; `None` removes a claim."""
    settings = get_settings()
    now = int(time.time())
    payload: dict[str, Any] = {
        "sub": "user-1",
        "org_id": "org-1",
        "spaces": {"space-a": "admin"},
        "permissions": ["content:write"],
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "jti": "jti-" + str(now),
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}
