"""Sign-up, log-in, log-out, /me, JWKS, throttling and the JWT attack suite through the HTTP API."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from backend.auth.keys import get_keyring
from backend.auth.tokens import issue_access_token
from backend.core.config import get_settings
from tests.support.tenants import new_tenant


def _assert_401(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
    assert "Traceback" not in response.text


async def test_signup_creates_org_space_and_owner_and_me_lists_the_space(
    client: httpx.AsyncClient, signup: Any
) -> None:
    ada = await signup("ada", "Analytical Engines")
    assert ada.body["token_type"] == "bearer"
    assert datetime.fromisoformat(ada.body["expires_at"]) > datetime.now(UTC) + timedelta(hours=23)
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {ada.token}"})
    assert me.status_code == 200
    body = me.json()
    assert body["email"] == "ada@example.com" and body["organization_id"] == ada.organization_id
    assert body["spaces"] == [{"id": ada.space_id, "name": "General", "role": "admin"}]
    assert body["org_role"] == "owner"


async def test_token_claims_and_kid_header(signup: Any) -> None:
    ada = await signup("ada")
    header = jwt.get_unverified_header(ada.token)
    assert header["alg"] == "RS256" and header["kid"] == get_keyring().current_kid
    claims = jwt.decode(ada.token, options={"verify_signature": False})
    settings = get_settings()
    assert claims["sub"] == ada.user_id and claims["org_id"] == ada.organization_id
    assert claims["spaces"] == {ada.space_id: "admin"}
    assert claims["iss"] == settings.jwt_issuer and claims["aud"] == settings.jwt_audience
    assert {"exp", "iat", "nbf", "jti", "permissions"} <= set(claims)


async def test_duplicate_signup_is_a_clear_409(client: httpx.AsyncClient, signup: Any) -> None:
    await signup("ada")
    again = await client.post(
        "/api/v1/auth/signup",
        json={"email": "ADA@example.com", "password": "another-password", "name": "A", "organization_name": "B"},
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "email_taken"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (
            {"email": "not-an-email", "password": "long-enough-1", "name": "A", "organization_name": "B"},
            "invalid_email",
        ),
        ({"email": "a@example.com", "password": "short", "name": "A", "organization_name": "B"}, "weak_password"),
        (
            {"email": "a@example.com", "password": "long-enough-1", "name": "  ", "organization_name": "B"},
            "invalid_name",
        ),
    ],
)
async def test_signup_bad_input_is_422_with_a_reason(
    client: httpx.AsyncClient, payload: dict[str, str], code: str
) -> None:
    response = await client.post("/api/v1/auth/signup", json=payload)
    assert response.status_code == 422 and response.json()["error"]["code"] == code


async def test_login_with_right_and_wrong_password(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    ok = await client.post("/api/v1/auth/token", json={"email": "Ada@Example.com", "password": ada.password})
    assert ok.status_code == 200 and ok.json()["access_token"]
    wrong = await client.post("/api/v1/auth/token", json={"email": ada.email, "password": "wrong-password"})
    _assert_401(wrong)
    unknown = await client.post("/api/v1/auth/token", json={"email": "nobody@example.com", "password": "whatever1"})
    _assert_401(unknown)
    assert wrong.json() == unknown.json(), "an unknown email must answer exactly like a wrong password"


async def test_login_is_throttled_with_429_and_audited(
    committed_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = committed_client
    ada = await new_tenant("ada", client=client)
    limit = get_settings().login_max_failures
    # The app sits behind a balancer at 127.0.0.1 (the test client's address) that forwards the client's.
    monkeypatch.setattr(get_settings(), "trusted_proxies", "127.0.0.1")
    attacker = {"X-Forwarded-For": "203.0.113.66"}
    wrong = {"email": ada.email, "password": "wrong-password"}
    burst = await asyncio.gather(
        *(client.post("/api/v1/auth/token", json=wrong, headers=attacker) for _ in range(40))
    )
    statuses = sorted(r.status_code for r in burst)
    assert statuses == [401] * limit + [429] * (40 - limit), "a concurrent burst gets only the free guesses"
    blocked = next(r for r in burst if r.status_code == 429)
    assert blocked.json()["error"]["code"] == "too_many_login_attempts" and int(blocked.headers["Retry-After"]) > 0
    # The attacker's failures slow only the attacker: Ada signs in from her own address at once.
    owner = await client.post(
        "/api/v1/auth/token", json={"email": ada.email, "password": ada.password},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )  # fmt: skip
    assert owner.status_code == 200
    audit = await client.get("/api/v1/audit", headers={"Authorization": f"Bearer {owner.json()['access_token']}"})
    assert "login.failed_repeatedly" in [e["action"] for e in audit.json()]


async def test_probing_which_addresses_have_accounts_is_capped_per_client(
    committed_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = committed_client
    ada = await new_tenant("ada", client=client)
    monkeypatch.setattr(get_settings(), "signup_max_failures", 3)
    monkeypatch.setattr(get_settings(), "trusted_proxies", "127.0.0.1")
    prober = {"X-Forwarded-For": "203.0.113.66"}

    def attempt(email: str) -> dict[str, str]:
        return {"email": email, "password": "long-enough-1", "name": "P", "organization_name": "Probe"}

    burst = await asyncio.gather(
        *(client.post("/api/v1/auth/signup", json=attempt(ada.email), headers=prober) for _ in range(12))
    )
    statuses = sorted(r.status_code for r in burst)
    assert statuses == [409] * 3 + [429] * 9, "a concurrent burst learns about as many addresses as the limit"
    # Past the limit the answer says nothing about the address: a fresh one is refused the same way, and
    # nothing is created for it.
    fresh = await client.post("/api/v1/auth/signup", json=attempt("nobody-yet@example.com"), headers=prober)
    assert fresh.status_code == 429 and fresh.json()["error"]["code"] == "too_many_signups"
    assert int(fresh.headers["Retry-After"]) > 0
    later = await client.post(
        "/api/v1/auth/token", json={"email": "nobody-yet@example.com", "password": "long-enough-1"}
    )
    assert later.status_code == 401, "the refused sign-up created no account"
    # Another client is not affected, and successful sign-ups are never counted: an office creating many
    # organizations is not slowed.
    office = {"X-Forwarded-For": "198.51.100.7"}
    for n in range(5):
        made = await client.post("/api/v1/auth/signup", json=attempt(f"team-{n}@example.com"), headers=office)
        assert made.status_code == 201, made.text


async def test_logout_revokes_the_token(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    auth = {"Authorization": f"Bearer {ada.token}"}
    assert (await client.post("/api/v1/auth/logout", headers=auth)).status_code == 204
    _assert_401(await client.get("/api/v1/auth/me", headers=auth))


async def test_jwks_serves_the_current_key(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    keys = (await client.get("/api/v1/.well-known/jwks.json")).json()["keys"]
    kid = jwt.get_unverified_header(ada.token)["kid"]
    jwk = next(k for k in keys if k["kid"] == kid)
    public = jwt.PyJWK(jwk).key
    assert (
        jwt.decode(ada.token, public, algorithms=["RS256"], audience=get_settings().jwt_audience)["sub"] == ada.user_id
    )


# --- the JWT attack suite ------------------------------------------------------------------------


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(ada: Any, **overrides: Any) -> dict[str, Any]:
    claims = jwt.decode(ada.token, options={"verify_signature": False})
    claims.update(overrides)
    return claims


def _forged_tokens(ada: Any) -> dict[str, str]:
    ring = get_keyring()
    kid = ring.current_kid
    now = int(datetime.now(UTC).timestamp())
    public_pem = ring.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private = ring.private_key
    header, _payload, signature = ada.token.split(".")
    tampered = _claims(ada, sub=str(uuid.uuid4()))
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "alg_none": f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_b64(_claims(ada))}.",
        "hs256_with_public_key": _hs256_with(public_pem, _claims(ada), kid),
        "unknown_kid": jwt.encode(_claims(ada), private, algorithm="RS256", headers={"kid": "not-a-known-kid"}),
        "no_kid": jwt.encode(_claims(ada), private, algorithm="RS256"),
        "expired": jwt.encode(
            _claims(ada, exp=now - 3600, iat=now - 7200, nbf=now - 7200),
            private,
            algorithm="RS256",
            headers={"kid": kid},
        ),
        "not_yet_valid": jwt.encode(_claims(ada, nbf=now + 3600), private, algorithm="RS256", headers={"kid": kid}),
        "wrong_issuer": jwt.encode(_claims(ada, iss="someone-else"), private, algorithm="RS256", headers={"kid": kid}),
        "wrong_audience": jwt.encode(_claims(ada, aud="other-api"), private, algorithm="RS256", headers={"kid": kid}),
        "tampered_payload": f"{header}.{_b64(tampered)}.{signature}",
        "truncated": ada.token[: len(ada.token) // 2],
        "garbage": "this.is.not-a-token",
        "signed_by_stranger_key": jwt.encode(_claims(ada), stranger, algorithm="RS256", headers={"kid": kid}),
    }


def _hs256_with(secret: bytes, claims: dict[str, Any], kid: str) -> str:
    import hashlib
    import hmac

    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_b64(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


async def test_jwt_attack_suite_every_forgery_is_401_with_the_envelope(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    assert (await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {ada.token}"})).status_code == 200
    for name, token in _forged_tokens(ada).items():
        for path in ("/api/v1/auth/me", "/api/v1/spaces"):
            response = await client.get(path, headers={"Authorization": f"Bearer {token}", "X-Space-Id": ada.space_id})
            assert response.status_code == 401, f"{name} on {path}: {response.status_code} {response.text}"
            _assert_401(response)


async def test_missing_or_malformed_authorization_is_401(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer \x00"}):
        _assert_401(await client.get("/api/v1/auth/me", headers=headers))


async def test_revoked_jti_is_401(client: httpx.AsyncClient, signup: Any) -> None:
    from backend.auth.revocation import revoke

    ada = await signup("ada")
    claims = jwt.decode(ada.token, options={"verify_signature": False})
    await revoke(claims["jti"], datetime.fromtimestamp(claims["exp"], UTC))
    response = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {ada.token}"})
    _assert_401(response)
    assert response.json()["error"]["code"] == "token_revoked"


async def test_token_of_a_removed_member_is_401(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    invite = await client.post(
        f"/api/v1/spaces/{ada.space_id}/members",
        json={"email": "bob@example.com", "role": "editor"},
        headers=ada.headers(),
    )
    token = invite.json()["invitation_token"]
    bob = (
        await client.post(f"/api/v1/invitations/{token}/accept", json={"name": "Bob", "password": "bob-password-1"})
    ).json()
    bob_auth = {"Authorization": f"Bearer {bob['access_token']}", "X-Space-Id": ada.space_id}
    assert (await client.get("/api/v1/auth/me", headers=bob_auth)).status_code == 200
    removed = await client.delete(f"/api/v1/spaces/{ada.space_id}/members/{bob['user_id']}", headers=ada.headers())
    assert removed.status_code == 204
    response = await client.get(f"/api/v1/spaces/{ada.space_id}/members", headers=bob_auth)
    _assert_401(response)
    assert response.json()["error"]["code"] == "token_superseded"


async def test_token_issued_for_a_deleted_generation_claim_is_refused(signup: Any, client: httpx.AsyncClient) -> None:
    ada = await signup("ada")
    claims = {k: v for k, v in _claims(ada).items() if k not in ("exp", "iat", "nbf", "jti", "iss", "aud", "sub")}
    claims.pop("gen")
    no_gen = issue_access_token(subject=ada.user_id, claims=claims).token
    _assert_401(await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {no_gen}"}))
