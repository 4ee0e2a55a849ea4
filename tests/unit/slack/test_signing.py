"""Slack request signing: our signature is the one slack-sdk computes, and every way a request can be wrong
(forged, altered, stale, from the future, malformed) is refused with the reason."""

from __future__ import annotations

import time

import pytest
from slack_sdk.signature import SignatureVerifier

from backend.slack import signing

SECRET = "0123456789abcdef" * 2
BODY = b"payload=%7B%22type%22%3A%22block_actions%22%7D"


def test_signature_matches_slack_sdk() -> None:
    ts = str(int(time.time()))
    assert signing.signature(SECRET, ts, BODY) == SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=BODY)


def test_a_fresh_correct_signature_verifies() -> None:
    ts = str(int(time.time()))
    signing.verify(SECRET, timestamp=ts, body=BODY, sent=signing.signature(SECRET, ts, BODY))


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("other secret", "does not match"),
        ("altered body", "does not match"),
        ("stale", "five minutes"),
        ("future", "five minutes"),
        ("no timestamp", "malformed"),
        ("no signature", "malformed"),
        ("v1 signature", "malformed"),
    ],
)
def test_bad_requests_are_refused(case: str, reason: str) -> None:
    now = int(time.time())
    ts, body, sent = str(now), BODY, signing.signature(SECRET, str(now), BODY)
    if case == "other secret":
        sent = signing.signature("f" * 32, ts, body)
    elif case == "altered body":
        body = BODY + b"x"
    elif case == "stale":
        ts = str(now - 301)
        sent = signing.signature(SECRET, ts, body)
    elif case == "future":
        ts = str(now + 301)
        sent = signing.signature(SECRET, ts, body)
    elif case == "no timestamp":
        ts = ""
    elif case == "no signature":
        sent = ""
    elif case == "v1 signature":
        sent = "v1=" + sent[3:]
    with pytest.raises(signing.SignatureError, match=reason):
        signing.verify(SECRET, timestamp=ts, body=body, sent=sent)


def test_within_five_minutes_is_accepted() -> None:
    now = 1_700_000_000
    ts = str(now - 299)
    signing.verify(SECRET, timestamp=ts, body=BODY, sent=signing.signature(SECRET, ts, BODY), now=now)
