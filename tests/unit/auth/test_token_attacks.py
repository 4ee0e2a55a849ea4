"""The JWT attack suite: every forged, altered, stale or revoked token is refused with a 401.

Each test builds the attack the way an attacker would (by hand, byte by byte) and checks that
`verify_access_token` raises `Unauthorized` with the error envelope, and that invalid tokens all get the
same message, so the answer does not tell an attacker which check caught them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from backend.auth.keys import KeyRing, public_jwk, set_keyring
from backend.auth.revocation import revoke
from backend.auth.tokens import MAX_TOKEN_LENGTH, REGISTERED_CLAIMS, issue_access_token, verify_access_token
from backend.core.errors import Unauthorized

from .conftest import b64url, claims, forge, segment

INVALID_MESSAGE = "The access token is invalid. Sign in again."


async def rejected(token: Any, keyring: KeyRing, code: str = "invalid_token") -> Unauthorized:
    with pytest.raises(Unauthorized) as caught:
        await verify_access_token(token, keyring=keyring)
    error = caught.value
    assert error.status_code == 401
    assert error.code == code
    assert error.to_dict() == {"error": {"code": code, "message": error.message}}
    if code == "invalid_token":
        assert error.message == INVALID_MESSAGE, "invalid tokens must not say which check failed"
    assert error.__cause__ is None, "no library exception chained into the answer"
    assert error.__context__ is None or error.__suppress_context__
    return error


def header(keyring: KeyRing, **overrides: Any) -> dict[str, Any]:
    value = {"alg": "RS256", "typ": "JWT", "kid": keyring.current_kid}
    value.update(overrides)
    return {k: v for k, v in value.items() if v is not None}


async def test_a_correctly_signed_hand_built_token_is_accepted(keyring: KeyRing) -> None:
    """The forging helper itself produces valid tokens, so every rejection below is due to the attack."""
    verified = await verify_access_token(forge(header(keyring), claims(), keyring.private_key), keyring=keyring)
    assert verified["spaces"] == {"space-a": "admin"}


# --- algorithm attacks -----------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
async def test_alg_none_is_rejected(keyring: KeyRing, alg: str) -> None:
    await rejected(forge(header(keyring, alg=alg), claims()), keyring)


async def test_alg_none_with_a_signature_attached_is_rejected(keyring: KeyRing) -> None:
    valid = forge(header(keyring), claims(), keyring.private_key)
    signature = valid.rsplit(".", 1)[1]
    unsigned = forge(header(keyring, alg="none"), claims())
    await rejected(unsigned + signature, keyring)


@pytest.mark.parametrize("encoding", ["pem", "der", "jwk"])
async def test_hs256_signed_with_the_public_key_is_rejected(keyring: KeyRing, encoding: str) -> None:
    """Key confusion: a verifier that lets the token pick HS256 would use the public key as the HMAC secret."""
    public = keyring.private_key.public_key()
    secrets_to_try = {
        "pem": public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        "der": public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
        "jwk": json.dumps(public_jwk(keyring.current_kid, public)).encode(),
    }
    signing_input = f"{segment(header(keyring, alg='HS256'))}.{segment(claims())}"
    mac = hmac.new(secrets_to_try[encoding], signing_input.encode(), hashlib.sha256).digest()
    await rejected(f"{signing_input}.{b64url(mac)}", keyring)


async def test_hmac_signature_under_an_rs256_header_is_rejected(keyring: KeyRing) -> None:
    pem = keyring.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{segment(header(keyring))}.{segment(claims())}"
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    await rejected(f"{signing_input}.{b64url(mac)}", keyring)


@pytest.mark.parametrize("alg", ["RS384", "RS512", "PS256"])
async def test_other_algorithms_with_our_own_key_are_rejected(keyring: KeyRing, alg: str) -> None:
    """Only RS256 is accepted, even for a signature our key really made under another algorithm."""
    signing_input = f"{segment(header(keyring, alg=alg))}.{segment(claims())}"
    digest = {"RS384": hashes.SHA384(), "RS512": hashes.SHA512(), "PS256": hashes.SHA256()}[alg]
    pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32) if alg == "PS256" else padding.PKCS1v15()
    signature = keyring.private_key.sign(signing_input.encode(), pad, digest)
    await rejected(f"{signing_input}.{b64url(signature)}", keyring)


@pytest.mark.parametrize("alg", [None, "", 256, ["RS256"]])
async def test_missing_or_malformed_alg_is_rejected(keyring: KeyRing, alg: Any) -> None:
    value = header(keyring)
    value["alg"] = alg
    if alg is None:
        del value["alg"]
    await rejected(forge(value, claims(), keyring.private_key), keyring)


# --- key selection attacks -------------------------------------------------------------------------


async def test_unknown_kid_is_rejected(keyring: KeyRing, attacker_keyring: KeyRing) -> None:
    token = forge(header(attacker_keyring), claims(), attacker_keyring.private_key)
    await rejected(token, keyring)


async def test_unknown_kid_is_rejected_by_the_process_keyring_too(keyring: KeyRing, attacker_keyring: KeyRing) -> None:
    """Without a database behind the process keyring, an unknown kid cannot even trigger a reload."""
    set_keyring(keyring)
    token = forge(header(attacker_keyring), claims(), attacker_keyring.private_key)
    with pytest.raises(Unauthorized):
        await verify_access_token(token)


@pytest.mark.parametrize("kid", [None, "", 7, ["x"], {"kid": "x"}])
async def test_missing_or_malformed_kid_is_rejected(keyring: KeyRing, kid: Any) -> None:
    value = header(keyring)
    value["kid"] = kid
    if kid is None:
        del value["kid"]
    await rejected(forge(value, claims(), keyring.private_key), keyring)


async def test_a_different_rsa_key_claiming_our_kid_is_rejected(keyring: KeyRing, attacker_keyring: KeyRing) -> None:
    token = forge(header(keyring), claims(), attacker_keyring.private_key)
    await rejected(token, keyring)


@pytest.mark.parametrize("parameter", ["jwk", "jku", "x5u", "x5c"])
async def test_key_material_in_the_header_is_refused(
    keyring: KeyRing, attacker_keyring: KeyRing, parameter: str
) -> None:
    """The attacker embeds (or links) their own public key; a naive verifier would use it."""
    attacker_public = attacker_keyring.private_key.public_key()
    values: dict[str, Any] = {
        "jwk": public_jwk(keyring.current_kid, attacker_public),
        "jku": "http://127.0.0.1:9/jwks.json",
        "x5u": "http://127.0.0.1:9/cert.pem",
        "x5c": ["MIIB"],
    }
    for signer in (attacker_keyring.private_key, keyring.private_key):
        token = forge(header(keyring, **{parameter: values[parameter]}), claims(), signer)
        await rejected(token, keyring)


async def test_critical_header_extensions_are_refused(keyring: KeyRing) -> None:
    token = forge(header(keyring, crit=["exp"], exp=1), claims(), keyring.private_key)
    await rejected(token, keyring)


async def test_unexpected_typ_is_refused(keyring: KeyRing) -> None:
    token = forge(header(keyring, typ="at+jwt+evil"), claims(), keyring.private_key)
    await rejected(token, keyring)


# --- time ------------------------------------------------------------------------------------------


async def test_expired_token_is_rejected_as_expired(keyring: KeyRing) -> None:
    now = int(time.time())
    token = forge(header(keyring), claims(iat=now - 7200, nbf=now - 7200, exp=now - 3600), keyring.private_key)
    error = await rejected(token, keyring, code="token_expired")
    assert "expired" in error.message


async def test_expiry_allows_a_few_seconds_of_clock_skew_and_no_more(keyring: KeyRing) -> None:
    now = int(time.time())
    within = forge(header(keyring), claims(iat=now - 60, nbf=now - 60, exp=now - 3), keyring.private_key)
    assert (await verify_access_token(within, keyring=keyring))["sub"] == "user-1"
    beyond = forge(header(keyring), claims(iat=now - 60, nbf=now - 60, exp=now - 30), keyring.private_key)
    await rejected(beyond, keyring, code="token_expired")


async def test_not_yet_valid_token_is_rejected(keyring: KeyRing) -> None:
    now = int(time.time())
    token = forge(header(keyring), claims(nbf=now + 3600, exp=now + 7200), keyring.private_key)
    await rejected(token, keyring)


async def test_not_before_allows_a_few_seconds_of_clock_skew(keyring: KeyRing) -> None:
    now = int(time.time())
    token = forge(header(keyring), claims(iat=now + 3, nbf=now + 3), keyring.private_key)
    assert (await verify_access_token(token, keyring=keyring))["nbf"] == now + 3


async def test_token_issued_in_the_future_is_rejected(keyring: KeyRing) -> None:
    now = int(time.time())
    token = forge(header(keyring), claims(iat=now + 3600, exp=now + 7200), keyring.private_key)
    await rejected(token, keyring)


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
async def test_non_numeric_time_claims_are_rejected(keyring: KeyRing, claim: str) -> None:
    await rejected(forge(header(keyring), claims(**{claim: "soon"}), keyring.private_key), keyring)


# --- issuer, audience, required claims -------------------------------------------------------------


@pytest.mark.parametrize("issuer", ["someone-else", "obelisk-evil", "obelis", "", ["obelisk"]])
async def test_wrong_issuer_is_rejected(keyring: KeyRing, issuer: Any) -> None:
    await rejected(forge(header(keyring), claims(iss=issuer), keyring.private_key), keyring)


@pytest.mark.parametrize("audience", ["another-api", "obelisk-api-admin", "", ["another-api"]])
async def test_wrong_audience_is_rejected(keyring: KeyRing, audience: Any) -> None:
    await rejected(forge(header(keyring), claims(aud=audience), keyring.private_key), keyring)


async def test_audience_list_smuggling_ours_is_rejected(keyring: KeyRing) -> None:
    """A token minted for several services (ours among them) is not an access token for this API."""
    token = forge(header(keyring), claims(aud=["another-api", "obelisk-api"]), keyring.private_key)
    await rejected(token, keyring)


@pytest.mark.parametrize("missing", sorted(REGISTERED_CLAIMS))
async def test_every_registered_claim_is_required(keyring: KeyRing, missing: str) -> None:
    token = forge(header(keyring), claims(**{missing: None}), keyring.private_key)
    await rejected(token, keyring)


@pytest.mark.parametrize(("claim", "value"), [("sub", 42), ("jti", 42), ("jti", ""), ("jti", "x" * 200)])
async def test_malformed_identity_claims_are_rejected(keyring: KeyRing, claim: str, value: Any) -> None:
    await rejected(forge(header(keyring), claims(**{claim: value}), keyring.private_key), keyring)


# --- tampering and malformed input ----------------------------------------------------------------


async def test_tampered_payload_with_the_original_signature_is_rejected(keyring: KeyRing) -> None:
    issued = issue_access_token(subject="user-1", claims={"spaces": {"space-a": "viewer"}}, keyring=keyring)
    head, payload, signature = issued.token.split(".")
    decoded = json.loads(_b64decode(payload))
    for change in ({"spaces": {"space-a": "admin"}}, {"sub": "user-2"}, {"exp": decoded["exp"] + 86400}):
        forged = f"{head}.{segment({**decoded, **change})}.{signature}"
        await rejected(forged, keyring)


async def test_tampered_header_is_rejected(keyring: KeyRing) -> None:
    issued = issue_access_token(subject="user-1", claims={}, keyring=keyring)
    _, payload, signature = issued.token.split(".")
    forged_head = segment({"alg": "RS256", "kid": keyring.current_kid})  # same meaning, different bytes
    await rejected(f"{forged_head}.{payload}.{signature}", keyring)


async def test_signature_moved_onto_another_token_is_rejected(keyring: KeyRing) -> None:
    first = issue_access_token(subject="user-1", claims={}, keyring=keyring)
    second = issue_access_token(subject="user-2", claims={}, keyring=keyring)
    head, payload, _ = second.token.split(".")
    await rejected(f"{head}.{payload}.{first.token.split('.')[2]}", keyring)


async def test_flipped_signature_bit_is_rejected(keyring: KeyRing) -> None:
    issued = issue_access_token(subject="user-1", claims={}, keyring=keyring)
    head, payload, signature = issued.token.split(".")
    raw = bytearray(_b64decode(signature))
    raw[-1] ^= 0x01
    await rejected(f"{head}.{payload}.{b64url(bytes(raw))}", keyring)


async def test_truncated_tokens_are_rejected(keyring: KeyRing) -> None:
    token = issue_access_token(subject="user-1", claims={}, keyring=keyring).token
    head, payload, _signature = token.split(".")
    for truncated in (
        token[:-1],
        token[:-10],
        token[: len(token) // 2],
        f"{head}.{payload}",
        f"{head}.{payload}.",
        f"{head}.",
        head,
    ):
        await rejected(truncated, keyring)


@pytest.mark.parametrize(
    "garbage",
    [
        "not a token",
        "a.b.c",
        "....",
        "Bearer abc",
        "eyJhbGciOiJSUzI1NiJ9",
        "eyJ.eyJ.eyJ",
        "%%%.%%%.%%%",
        b64url(b"[1,2,3]") + ".e30.",
        b64url(b'"RS256"') + ".e30.",
        b64url(b"\xff\xfe\x00garbage") + ".e30.sig",
        "\u0000\u0001.\u0002.\u0003",
        "ε.ζ.η",
    ],
)
async def test_garbage_is_rejected(keyring: KeyRing, garbage: str) -> None:
    await rejected(garbage, keyring)


@pytest.mark.parametrize("empty", ["", None, b"", 0])
async def test_empty_or_non_string_token_is_rejected(keyring: KeyRing, empty: Any) -> None:
    await rejected(empty, keyring)


async def test_oversized_token_is_rejected_without_parsing(keyring: KeyRing) -> None:
    token = forge(header(keyring), claims(padding="x" * MAX_TOKEN_LENGTH), keyring.private_key)
    await rejected(token, keyring)


async def test_bytes_token_is_rejected_even_when_valid(keyring: KeyRing) -> None:
    """The verifier takes the header's text; a bytes value is a caller bug, answered as an invalid token."""
    token = issue_access_token(subject="user-1", claims={}, keyring=keyring).token
    await rejected(token.encode(), keyring)


# --- revocation ------------------------------------------------------------------------------------


async def test_revoked_token_is_rejected_as_revoked(keyring: KeyRing) -> None:
    issued = issue_access_token(subject="user-1", claims={}, keyring=keyring)
    assert (await verify_access_token(issued.token, keyring=keyring))["jti"] == issued.jti
    await revoke(issued.jti, issued.expires_at)
    error = await rejected(issued.token, keyring, code="token_revoked")
    assert "revoked" in error.message


async def test_revoking_one_token_leaves_the_users_other_tokens_valid(keyring: KeyRing) -> None:
    first = issue_access_token(subject="user-1", claims={}, keyring=keyring)
    second = issue_access_token(subject="user-1", claims={}, keyring=keyring)
    await revoke(first.jti, first.expires_at)
    await rejected(first.token, keyring, code="token_revoked")
    assert (await verify_access_token(second.token, keyring=keyring))["jti"] == second.jti


async def test_a_forged_token_reusing_a_valid_jti_is_still_rejected(
    keyring: KeyRing, attacker_keyring: KeyRing
) -> None:
    """Revocation is checked last: a bad signature is refused before the jti is even looked at."""
    token = forge(header(keyring), claims(jti=str(uuid.uuid4())), attacker_keyring.private_key)
    await rejected(token, keyring)


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
