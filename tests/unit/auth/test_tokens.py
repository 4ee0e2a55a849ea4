"""Issuing and verifying valid tokens: claims round-trip, registered claims, lifetimes, keys, JWKS."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta, tzinfo

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from backend.auth.keys import KeyRing, key_id, set_keyring
from backend.auth.tokens import REGISTERED_CLAIMS, issue_access_token, verify_access_token
from backend.core.cache import MemoryBroker, MemoryCache, set_cache_and_broker
from backend.core.config import get_settings
from backend.core.errors import ServiceUnavailable, Unauthorized

CALLER_CLAIMS = {
    "org_id": "3f1c1d1e-0000-4000-8000-000000000001",
    "spaces": {"3f1c1d1e-0000-4000-8000-0000000000aa": "admin", "3f1c1d1e-0000-4000-8000-0000000000bb": "viewer"},
    "permissions": ["spaces:create", "members:invite"],
    "gen": 3,
}


async def test_valid_token_verifies_and_carries_the_callers_claims(keyring: KeyRing) -> None:
    issued = issue_access_token(subject="user-1", claims=CALLER_CLAIMS, keyring=keyring)
    verified = await verify_access_token(issued.token, keyring=keyring)
    for name, value in CALLER_CLAIMS.items():
        assert verified[name] == value
    settings = get_settings()
    assert verified["sub"] == "user-1"
    assert verified["iss"] == settings.jwt_issuer
    assert verified["aud"] == settings.jwt_audience
    assert verified["jti"] == issued.jti
    assert verified["exp"] == int(issued.expires_at.timestamp())
    assert verified["iat"] == verified["nbf"] <= int(time.time())


async def test_token_header_names_the_current_key_and_pins_rs256(keyring: KeyRing) -> None:
    issued = issue_access_token(subject="user-1", claims={}, keyring=keyring)
    assert jwt.get_unverified_header(issued.token) == {"alg": "RS256", "kid": keyring.current_kid, "typ": "JWT"}


def test_default_lifetime_is_the_setting(keyring: KeyRing) -> None:
    issued = issue_access_token(subject="user-1", claims={}, keyring=keyring)
    expected = datetime.now(UTC) + timedelta(minutes=get_settings().access_token_ttl_minutes)
    assert abs((issued.expires_at - expected).total_seconds()) < 5
    assert issued.expires_at.tzinfo is not None


def test_default_lifetime_is_24_hours() -> None:
    assert get_settings().access_token_ttl_minutes == 24 * 60


async def test_explicit_lifetime(keyring: KeyRing) -> None:
    issued = issue_access_token(subject="user-1", claims={}, ttl=timedelta(minutes=5), keyring=keyring)
    verified = await verify_access_token(issued.token, keyring=keyring)
    assert verified["exp"] - verified["iat"] == 300


async def test_a_token_expires_after_its_lifetime(keyring: KeyRing, monkeypatch: pytest.MonkeyPatch) -> None:
    issued = issue_access_token(subject="user-1", claims={}, ttl=timedelta(seconds=1), keyring=keyring)
    await verify_access_token(issued.token, keyring=keyring)
    later = issued.expires_at + timedelta(seconds=11)

    class _Later(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> _Later:
            return cls.fromtimestamp(later.timestamp(), tz)

    monkeypatch.setattr(jwt.api_jwt, "datetime", _Later)  # the verifier's clock, moved past exp + leeway
    with pytest.raises(Unauthorized) as caught:
        await verify_access_token(issued.token, keyring=keyring)
    assert caught.value.code == "token_expired"


@pytest.mark.parametrize("claim", sorted(REGISTERED_CLAIMS))
def test_callers_cannot_set_registered_claims(keyring: KeyRing, claim: str) -> None:
    with pytest.raises(ValueError, match="registered claims"):
        issue_access_token(subject="user-1", claims={claim: "x"}, keyring=keyring)


@pytest.mark.parametrize("subject", ["", None, 7])
def test_subject_is_required(keyring: KeyRing, subject: object) -> None:
    with pytest.raises(ValueError, match="subject"):
        issue_access_token(subject=subject, claims={}, keyring=keyring)  # type: ignore[arg-type]


@pytest.mark.parametrize("ttl", [timedelta(0), timedelta(seconds=-5), timedelta(milliseconds=500)])
def test_lifetime_must_be_positive(keyring: KeyRing, ttl: timedelta) -> None:
    with pytest.raises(ValueError, match="lifetime"):
        issue_access_token(subject="user-1", claims={}, ttl=ttl, keyring=keyring)


def test_every_token_gets_its_own_unguessable_jti(keyring: KeyRing) -> None:
    jtis = {issue_access_token(subject="user-1", claims={}, keyring=keyring).jti for _ in range(200)}
    assert len(jtis) == 200
    assert all(len(j) >= 22 for j in jtis)  # 128 random bits


async def test_process_keyring_is_used_when_none_is_given(keyring: KeyRing) -> None:
    set_keyring(keyring)
    issued = issue_access_token(subject="user-1", claims={"org_id": "o"})
    assert (await verify_access_token(issued.token))["org_id"] == "o"


def test_without_a_loaded_keyring_issuing_fails_loudly() -> None:
    with pytest.raises(RuntimeError, match="not loaded"):
        issue_access_token(subject="user-1", claims={})


async def test_previous_key_verifies_but_never_signs(keyring: KeyRing) -> None:
    """After a rotation the old key's tokens stay valid while new tokens use the new key."""
    newer = KeyRing.generate()
    rotated = KeyRing(
        current_kid=newer.current_kid,
        private_key=newer.private_key,
        previous={keyring.current_kid: keyring.private_key.public_key()},
    )
    old_token = issue_access_token(subject="user-1", claims={}, keyring=keyring)
    new_token = issue_access_token(subject="user-1", claims={}, keyring=rotated)
    assert jwt.get_unverified_header(new_token.token)["kid"] == newer.current_kid
    assert (await verify_access_token(old_token.token, keyring=rotated))["sub"] == "user-1"
    assert (await verify_access_token(new_token.token, keyring=rotated))["sub"] == "user-1"
    assert rotated.kids == (newer.current_kid, keyring.current_kid)


def test_jwks_publishes_public_keys_that_verify_our_tokens(keyring: KeyRing) -> None:
    newer = KeyRing.generate()
    rotated = KeyRing(
        current_kid=newer.current_kid,
        private_key=newer.private_key,
        previous={keyring.current_kid: keyring.private_key.public_key()},
    )
    jwks = rotated.jwks()
    assert [k["kid"] for k in jwks["keys"]] == [newer.current_kid, keyring.current_kid]
    for key in jwks["keys"]:
        assert set(key) == {"kty", "kid", "alg", "use", "n", "e"}
        assert (key["kty"], key["alg"], key["use"], key["e"]) == ("RSA", "RS256", "sig", "AQAB")
    token = issue_access_token(subject="user-1", claims={}, keyring=keyring).token
    by_kid = {key["kid"]: jwt.PyJWK(key) for key in jwks["keys"]}
    kid = jwt.get_unverified_header(token)["kid"]
    decoded = jwt.decode(
        token, by_kid[kid], algorithms=["RS256"], audience=get_settings().jwt_audience, issuer=get_settings().jwt_issuer
    )
    assert decoded["sub"] == "user-1"


def test_jwks_holds_no_private_material(keyring: KeyRing) -> None:
    for key in keyring.jwks()["keys"]:
        assert not {"d", "p", "q", "dp", "dq", "qi", "k"} & set(key)


def test_kid_is_the_rfc7638_thumbprint(keyring: KeyRing) -> None:
    assert key_id(keyring.private_key.public_key()) == keyring.current_kid
    # The worked example of RFC 7638, section 3.1.
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknj"
        "hMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qM"
        "QvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJ"
        "zKnqDKgw"
    )
    modulus = int.from_bytes(base64.urlsafe_b64decode(n + "=" * (-len(n) % 4)), "big")
    example = rsa.RSAPublicNumbers(65537, modulus).public_key()
    assert key_id(example) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_keyring_repr_shows_no_key_material(keyring: KeyRing) -> None:
    assert "PRIVATE" not in repr(keyring) and keyring.current_kid in repr(keyring)


class _UnreachableCache(MemoryCache):
    async def exists(self, key: str) -> bool:
        raise ConnectionError("redis is down")


async def test_unreachable_revocation_set_fails_closed_with_503(keyring: KeyRing) -> None:
    """A token that might be revoked is not accepted: the answer is 'try again', not 'come in'."""
    issued = issue_access_token(subject="user-1", claims={}, keyring=keyring)
    set_cache_and_broker(MemoryCache(), MemoryBroker(), security=_UnreachableCache())
    with pytest.raises(ServiceUnavailable) as caught:
        await verify_access_token(issued.token, keyring=keyring)
    assert caught.value.status_code == 503
    assert caught.value.code == "revocation_unavailable"
    assert "redis" not in caught.value.message.lower()
