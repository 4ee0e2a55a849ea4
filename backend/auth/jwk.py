"""RSA keys as RS256 needs them: generation, the RFC 7638 thumbprint that names a key (its `kid`), and the
JWK (RFC 7517) form the JWKS publishes. Pure functions, no storage."""

from __future__ import annotations

import base64
import hashlib
import json
import math

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ALGORITHM = "RS256"
# 2048 bits is the RS256 norm (RFC 7518 requires at least that) and ample for a key that signs for one
# rotation period and verifies for one more; verification runs on every request and its cost grows with
# the modulus.
KEY_BITS = 2048
_PUBLIC_EXPONENT = 65537


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


def load_public_pem(pem: str) -> rsa.RSAPublicKey:
    """An RSA public key from its PEM; RuntimeError for anything else."""
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise RuntimeError("a stored signing key is not an RSA key")
    return key


__all__ = ["ALGORITHM", "KEY_BITS", "generate_private_key", "key_id", "load_public_pem", "public_jwk"]
