"""Google's OAuth2 authorization-code flow with PKCE, over httpx: no database, no tenant, no state store.

- `new_pkce()` makes a verifier (43-128 unreserved characters, RFC 7636) and its S256 challenge; the verifier
  stays on the server and is sent only with the code exchange, so a code stolen from the redirect is useless.
- `authorization_url` asks for offline access (a refresh token) and `prompt=consent`, because Google issues a
  refresh token only on a consent screen: a reconnect after `invalid_grant` must get a new one.
- Token endpoint errors keep Google's `error` code: `invalid_grant` means the grant is gone (revoked, expired:
  refresh tokens of an app in "testing" last 7 days, Google drops the oldest past 100 per account), and the
  caller marks the connection for a reconnect instead of retrying.

Every endpoint comes from settings, so tests point them at a local fake server.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from backend.core.config import Settings

GA4_SCOPE = "https://www.googleapis.com/auth/analytics.readonly"
CALLBACK_PATH = "/api/v1/integrations/ga4/callback"


class OAuthError(RuntimeError):
    """A token endpoint call failed. `error` is Google's code (`invalid_grant`...) or ours (`unreachable`)."""

    def __init__(self, message: str, *, error: str) -> None:
        super().__init__(message)
        self.error = error

    @property
    def grant_gone(self) -> bool:
        """The refresh token (or code) will never work again: the user must connect anew."""
        return self.error == "invalid_grant"


@dataclass(frozen=True, slots=True)
class Pkce:
    verifier: str
    challenge: str


@dataclass(frozen=True, slots=True)
class TokenSet:
    """What the token endpoint returned. `refresh_token` is None on a refresh (Google keeps the old one)."""

    access_token: str
    expires_at: datetime
    refresh_token: str | None
    scope: str


def new_pkce() -> Pkce:
    verifier = secrets.token_urlsafe(64)[:96]
    return Pkce(verifier=verifier, challenge=s256(verifier))


def s256(verifier: str) -> str:
    """The S256 code challenge of a verifier: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def redirect_uri(settings: Settings) -> str:
    return settings.public_base_url.rstrip("/") + CALLBACK_PATH


def require_client(settings: Settings) -> tuple[str, str]:
    if not settings.google_oauth_client_id or not settings.google_oauth_client_secret:
        raise OAuthError(
            "GA4 is not configured on this server: set GOOGLE_OAUTH_CLIENT_ID and GOOGLE_OAUTH_CLIENT_SECRET.",
            error="not_configured",
        )
    return settings.google_oauth_client_id, settings.google_oauth_client_secret


def authorization_url(settings: Settings, *, state: str, code_challenge: str) -> str:
    client_id, _ = require_client(settings)
    query = urlencode(
        {
            "client_id": client_id,
            "redirect_uri": redirect_uri(settings),
            "response_type": "code",
            "scope": GA4_SCOPE,
            "access_type": "offline",
            "prompt": "consent",
            "include_granted_scopes": "true",
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
    )
    base = settings.google_oauth_authorize_url
    return f"{base}{'&' if '?' in base else '?'}{query}"


async def exchange_code(settings: Settings, *, code: str, code_verifier: str, now: datetime | None = None) -> TokenSet:
    """Trade the authorization code (and the PKCE verifier) for tokens."""
    client_id, client_secret = require_client(settings)
    return await _token_call(
        settings,
        {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": code_verifier,
            "redirect_uri": redirect_uri(settings),
            "client_id": client_id,
            "client_secret": client_secret,
        },
        now=now,
    )


async def refresh(settings: Settings, *, refresh_token: str, now: datetime | None = None) -> TokenSet:
    """A fresh access token from the refresh token."""
    client_id, client_secret = require_client(settings)
    return await _token_call(
        settings,
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
            "client_secret": client_secret,
        },
        now=now,
    )


async def revoke(settings: Settings, *, token: str) -> bool:
    """Revoke a token at Google (a refresh token revokes the whole grant). True when Google confirmed it.

    Google answers 400 `invalid_token` for a token already revoked or expired: that is the state we want, so it
    counts as done. A network failure returns False; the caller deletes its copy anyway.
    """
    try:
        async with httpx.AsyncClient(timeout=settings.ga4_timeout_seconds) as http:
            response = await http.post(settings.google_oauth_revoke_url, data={"token": token})
    except httpx.HTTPError:
        return False
    return response.status_code == 200 or _error_code(response) == "invalid_token"


async def _token_call(settings: Settings, form: dict[str, str], *, now: datetime | None) -> TokenSet:
    try:
        async with httpx.AsyncClient(timeout=settings.ga4_timeout_seconds) as http:
            response = await http.post(
                settings.google_oauth_token_url, data=form, headers={"Accept": "application/json"}
            )
    except httpx.HTTPError as exc:
        raise OAuthError(
            f"Google's sign-in service could not be reached ({type(exc).__name__}).", error="unreachable"
        ) from exc
    if response.status_code != 200:
        code = _error_code(response) or f"http_{response.status_code}"
        raise OAuthError(_describe(code), error=code)
    try:
        body: dict[str, Any] = response.json()
        access = str(body["access_token"])
        lifetime = int(body.get("expires_in") or 3600)
    except (ValueError, KeyError, TypeError) as exc:
        raise OAuthError("Google's sign-in service answered with an unreadable token.", error="bad_response") from exc
    issued = now or datetime.now(UTC)
    refresh_token = body.get("refresh_token")
    return TokenSet(
        access_token=access,
        expires_at=issued + timedelta(seconds=lifetime),
        refresh_token=str(refresh_token) if refresh_token else None,
        scope=str(body.get("scope") or ""),
    )


def _error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):  # the API error shape, should an endpoint answer with it
        return str(error.get("status") or error.get("code") or "") or None
    return str(error) if error else None


def _describe(code: str) -> str:
    if code == "invalid_grant":
        return "Google no longer accepts this GA4 connection (it was revoked or expired): reconnect GA4."
    if code in {"invalid_client", "unauthorized_client"}:
        return "Google refused this server's OAuth client: check GOOGLE_OAUTH_CLIENT_ID and _SECRET."
    return f"Google's sign-in service refused the request ({code})."


__all__ = [
    "CALLBACK_PATH",
    "GA4_SCOPE",
    "OAuthError",
    "Pkce",
    "TokenSet",
    "authorization_url",
    "exchange_code",
    "new_pkce",
    "redirect_uri",
    "refresh",
    "require_client",
    "revoke",
    "s256",
]
