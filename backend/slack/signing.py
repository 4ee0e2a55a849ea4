"""Slack request signing: `v0=` HMAC-SHA256 of `v0:{timestamp}:{raw body}` under the app's signing secret.

Every interaction is checked before anything in it is trusted beyond choosing whose secret to check with:
the timestamp must be within five minutes of our clock (a captured request cannot be replayed later), and the
signature is compared in constant time (`hmac.compare_digest`), so timing reveals nothing of the expected value.
The body is the raw bytes Slack sent, before any form decoding: re-encoding a parsed form would not match.
"""

from __future__ import annotations

import hashlib
import hmac
import time

VERSION = "v0"
MAX_SKEW_SECONDS = 300


class SignatureError(ValueError):
    """The request is not a fresh, correctly signed Slack request; the message says which check failed."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Slack-Signature` value Slack sends for `body` at `timestamp`."""
    base = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def check_timestamp(timestamp: str | None, *, now: float | None = None) -> int:
    """The request's timestamp as an int, or SignatureError when it is missing, malformed or stale."""
    try:
        value = int(timestamp or "")
    except ValueError:
        raise SignatureError("missing or malformed X-Slack-Request-Timestamp") from None
    if abs((time.time() if now is None else now) - value) > MAX_SKEW_SECONDS:
        raise SignatureError("request timestamp is more than five minutes off")
    return value


def verify(secret: str, *, timestamp: str | None, body: bytes, sent: str | None, now: float | None = None) -> None:
    """Raise SignatureError unless `sent` is the signature of `body` at a fresh `timestamp` under `secret`."""
    check_timestamp(timestamp, now=now)
    if not sent or not sent.startswith(f"{VERSION}="):
        raise SignatureError("missing or malformed X-Slack-Signature")
    expected = signature(secret, str(timestamp), body)
    if not hmac.compare_digest(expected.encode(), sent.encode()):
        raise SignatureError("signature does not match")


__all__ = ["MAX_SKEW_SECONDS", "SignatureError", "check_timestamp", "signature", "verify"]
