"""RS256 access tokens: issued with the current key, verified against the live keys held in memory.

Verification trusts nothing in the token before its signature checks out: the algorithm is pinned (the
token's `alg` only has to agree), the key is chosen by `kid` among our own live keys (never from `jwk`,
`jku` or `x5u` headers, which are refused), and every registered claim must be present. The only I/O is
the revocation lookup in the cache; there is no database query per request (a kid this process has not
seen re-reads the keys at most once a second, see `backend.auth.keys.reload_for_unknown_kid`).
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from backend.auth.keys import ALGORITHM, KeyRing, get_keyring, reload_for_unknown_kid
from backend.auth.revocation import VERIFY_LEEWAY_SECONDS, is_revoked
from backend.core.config import get_settings
from backend.core.errors import ServiceUnavailable, Unauthorized

logger = logging.getLogger(__name__)

# The claims this module sets; callers cannot override them (a caller-chosen `exp` or `aud` is a bug).
REGISTERED_CLAIMS = frozenset({"sub", "iat", "nbf", "exp", "jti", "iss", "aud"})
# We issue exactly these header parameters; anything else (jwk, jku, x5u, crit, b64...) is not ours.
_ALLOWED_HEADER = frozenset({"alg", "kid", "typ"})
# Far above any token we issue (claims grow with the number of spaces) and far below what would cost
# real CPU to parse.
MAX_TOKEN_LENGTH = 16_384
_MAX_JTI_LENGTH = 128


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A signed access token with the two facts callers need without decoding it."""

    token: str
    jti: str
    expires_at: datetime


def issue_access_token(
    *,
    subject: str,
    claims: Mapping[str, Any],
    ttl: timedelta | None = None,
    keyring: KeyRing | None = None,
) -> IssuedToken:
    """Sign `claims` (JSON values: org_id, spaces, permissions...) for `subject` with the current key.

    Adds sub, iss, aud, iat, nbf, exp (now + `ttl`, default ACCESS_TOKEN_TTL_MINUTES) and a random jti.
    """
    if not isinstance(subject, str) or not subject:
        raise ValueError("a token needs a non-empty subject")
    clash = REGISTERED_CLAIMS.intersection(claims)
    if clash:
        raise ValueError(f"claims may not set registered claims: {sorted(clash)}")
    settings = get_settings()
    lifetime = ttl if ttl is not None else timedelta(minutes=settings.access_token_ttl_minutes)
    if lifetime.total_seconds() < 1:
        raise ValueError("a token's lifetime must be at least one second")
    ring = keyring or get_keyring()
    now = int(time.time())
    expires = now + int(lifetime.total_seconds())
    jti = secrets.token_urlsafe(16)
    payload = {
        **claims,
        "sub": subject,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": expires,
        "jti": jti,
    }
    token = jwt.encode(payload, ring.private_key, algorithm=ALGORITHM, headers={"kid": ring.current_kid})
    return IssuedToken(token=token, jti=jti, expires_at=datetime.fromtimestamp(expires, UTC))


def _unverified_header(token: str) -> dict[str, Any]:
    # Read only to choose the key; PyJWT parses and checks the whole token again before anything is trusted.
    # Done here because PyJWT's own header helper costs a third of a verification.
    if token.count(".") != 2:
        raise ValueError("a JWS in compact form has three segments")
    segment = token.partition(".")[0]
    header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    if not isinstance(header, dict):
        raise ValueError("the header is not a JSON object")
    return header


def _invalid(reason: str) -> Unauthorized:
    # The reason goes to the log for operators; the caller learns only that the token is not acceptable,
    # which is all a client can act on and nothing an attacker can probe with.
    logger.debug("access token refused", extra={"reason": reason})
    return Unauthorized("The access token is invalid. Sign in again.", code="invalid_token")


async def verify_access_token(token: str, *, keyring: KeyRing | None = None) -> dict[str, Any]:
    """The claims of a valid, unrevoked access token; `Unauthorized` (401) for anything else.

    Codes: `token_expired`, `token_revoked`, `invalid_token` (every other failure). When the revocation
    set cannot be reached the answer is `ServiceUnavailable` (503): a revoked token must not slip through.
    """
    if not isinstance(token, str) or not token:
        raise _invalid("empty or not text")
    if len(token) > MAX_TOKEN_LENGTH:
        raise _invalid("too long")
    try:
        header = _unverified_header(token)
    except Exception:
        raise _invalid("malformed header") from None
    if header.get("alg") != ALGORITHM:
        raise _invalid("algorithm not allowed")
    if not header.keys() <= _ALLOWED_HEADER or header.get("typ", "JWT") != "JWT":
        raise _invalid("unexpected header parameters")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _invalid("no kid")

    ring = keyring or get_keyring()
    public_key = ring.public_key(kid)
    if public_key is None and keyring is None:
        reloaded = await reload_for_unknown_kid(kid)
        public_key = reloaded.public_key(kid) if reloaded is not None else None
    if public_key is None:
        raise _invalid("unknown kid")

    settings = get_settings()
    try:
        claims = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            leeway=VERIFY_LEEWAY_SECONDS,
            options={"require": sorted(REGISTERED_CLAIMS), "strict_aud": True},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The access token has expired. Sign in again.", code="token_expired") from None
    except Exception as exc:
        raise _invalid(type(exc).__name__) from None

    jti = claims["jti"]
    if not isinstance(jti, str) or not jti or len(jti) > _MAX_JTI_LENGTH:
        raise _invalid("bad jti")
    try:
        revoked = await is_revoked(jti)
    except Exception:
        logger.exception("the token revocation set is unreachable")
        raise ServiceUnavailable(
            "Sign-in cannot be checked right now. Try again shortly.", code="revocation_unavailable"
        ) from None
    if revoked:
        raise Unauthorized("The access token has been revoked. Sign in again.", code="token_revoked")
    return claims


__all__ = ["MAX_TOKEN_LENGTH", "REGISTERED_CLAIMS", "IssuedToken", "issue_access_token", "verify_access_token"]
