"""Contamination (prompt-injection) detection for uploaded documents and model answers.

A document a team uploads becomes context for the agents, so text inside it that speaks to the AI ("ignore
previous instructions", a fake `<|im_start|>system` turn, a markdown image that would carry data to another
site) must be caught before retrieval can hand it to a model. Everything here is pure and synchronous: no
I/O, no model calls, safe to run on every chunk of every document.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from backend.safety import _normalize as norm
from backend.safety._patterns import (
    EXFILTRATION_PATTERNS,
    HTML_IMAGE_RE,
    INSTRUCTION_PATTERNS,
    MARKDOWN_IMAGE_RE,
    MARKUP_PATTERNS,
    PLACEHOLDER_RE,
    SQUASHED_PATTERNS,
    SUSPICIOUS_QUERY_KEYS,
    TOOL_CALL_PATTERNS,
    Pattern,
)
from backend.safety._urls import UrlCheck, check_urls

_REASONS = {
    "instruction": "Looks like an instruction to an AI assistant: '{}'",
    "markup": "Contains chat-model control markup ('{}'), used to fake a system or user turn.",
    "tool_call": "Contains what looks like a smuggled tool call for an AI assistant: '{}'",
    "exfiltration": "Looks like an attempt to make an AI assistant send data to an outside address: '{}'",
}
_B64_RE = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{40,}={0,2}")
# Base64 wrapped over several lines (as mail and PEM tools write it): whole lines of base64 characters only.
_B64_BLOCK_RE = re.compile(r"(?:^[ \t]*[A-Za-z0-9+/_-]{16,}={0,2}[ \t]*(?:\r?\n|\Z)){2,}", re.MULTILINE)
_MAX_B64_CANDIDATES = 50
_LEAK_RE = re.compile(
    r"\b(?:my|the) (?:system prompt|initial instructions|system instructions|hidden instructions|system message)"
    r" (?:is|are|says|say|reads|read|states|tells me)\b|\bhere (?:is|are) my (?:system prompt|instructions|initial"
    r" instructions)\b|\bi was (?:instructed|told) (?:not to|never to|to never) (?:tell|reveal|mention|disclose)\b"
)


@dataclass(frozen=True, slots=True)
class ContaminationResult:
    """The verdict on one text. `pattern` is a stable identifier (for counting and tests); `reason` is for people."""

    contaminated: bool
    reason: str | None = None
    pattern: str | None = None


CLEAN = ContaminationResult(contaminated=False)


class ContaminationDetector:
    """Finds prompt injection in document text and leaks or injected behaviour in model answers.

    `canaries` are private markers placed in system prompts; an answer that repeats one leaks the prompt.
    One instance can be shared by every thread and task: it holds no mutable state.
    """

    def __init__(self, *, canaries: Iterable[str] = (), base64_min_length: int = 40) -> None:
        self._canaries = tuple(c.casefold() for c in canaries if c.strip())
        self._b64_min = base64_min_length

    def scan_document(self, text: str) -> ContaminationResult:
        """Check text that will become context for a model (a chunk, a page, a prompt).

        Contaminated when it carries instructions aimed at an AI, chat or tool-call markup, an exfiltration
        attempt, or hidden text (invisible tag characters, display-reversing controls, base64 that decodes to
        any of these), in English, German, French or Spanish, also when disguised with look-alike letters,
        zero-width characters or letter spacing.
        """
        if not text or not text.strip():
            return CLEAN
        return self._scan(text, depth=0)

    def check_response(self, response: str, context_docs: list[str]) -> ContaminationResult:
        """Check a model answer against the documents it was given.

        Contaminated when the answer follows or echoes injected instructions, leaks the system prompt (a canary,
        chat markup, "my system prompt says"), or contains links or images whose addresses are not in
        `context_docs`: such an address can carry data out of the conversation when a client renders it.
        """
        if not response or not response.strip():
            return CLEAN
        found = self._scan(response, depth=0)
        if found.contaminated:
            return found
        folded = norm.fold(response)
        for canary in self._canaries:
            if canary in folded or canary in response.casefold():
                return ContaminationResult(
                    True,
                    "The answer repeats a private marker of the system prompt, so it is leaking the prompt.",
                    "system_prompt_leak",
                )
        if m := _LEAK_RE.search(norm.normalize(response).flat):
            return ContaminationResult(
                True, f"The answer seems to reveal its own instructions: '{_clip(m.group())}'", "system_prompt_leak"
            )
        return _url_result(check_urls(response, context_docs))

    # --- internals ---------------------------------------------------------------------------------------

    def _scan(self, text: str, *, depth: int) -> ContaminationResult:
        forms = norm.normalize(text)
        if forms.hidden:
            return ContaminationResult(
                True,
                f"Contains invisible characters that spell out hidden text: '{_clip(forms.hidden)}'",
                "hidden_tag_text",
            )
        found = _match_text(forms)
        if found.contaminated:
            return found
        if beacon := _image_beacon(text):
            return beacon
        if norm.BIDI_OVERRIDE_RE.search(text):
            return ContaminationResult(
                True,
                "Contains characters that reverse how text is displayed, a trick to hide what it really says.",
                "bidi_override",
            )
        if norm.INVISIBLE_RUN_RE.search(text):
            return ContaminationResult(
                True, "Contains a long run of invisible characters, which can hide a message.", "invisible_run"
            )
        if depth < 2:
            return self._scan_base64(text, depth=depth)
        return CLEAN

    def _scan_base64(self, text: str, *, depth: int) -> ContaminationResult:
        visible = norm.INVISIBLE_RE.sub("", text)
        blocks = ("".join(m.group().split()) for m in _B64_BLOCK_RE.finditer(visible))
        inline = (m.group() for m in _B64_RE.finditer(visible))
        for n, candidate in enumerate(itertools.chain(blocks, inline)):
            if n >= _MAX_B64_CANDIDATES:
                break
            if len(candidate) < self._b64_min or (decoded := _decode_text(candidate)) is None:
                continue
            inner = self._scan(decoded, depth=depth + 1)
            if inner.contaminated:
                return ContaminationResult(
                    True,
                    f"Contains base64-encoded text that hides an instruction to an AI assistant: '{_clip(decoded)}'",
                    f"encoded:{inner.pattern}",
                )
        return CLEAN


def _match_text(forms: norm.Normalized) -> ContaminationResult:
    targets = (forms.flat,) if forms.despaced == forms.flat else (forms.flat, forms.despaced)
    for group in (MARKUP_PATTERNS, INSTRUCTION_PATTERNS, TOOL_CALL_PATTERNS, EXFILTRATION_PATTERNS):
        for pattern in group:
            for target in (forms.lines, *targets) if group is MARKUP_PATTERNS else targets:
                if m := pattern.regex.search(target):
                    return _finding(pattern, m.group())
    for squashed in forms.squashed:
        for pattern in SQUASHED_PATTERNS:
            if m := pattern.regex.search(squashed):
                return _finding(pattern, m.group())
    return CLEAN


def _finding(pattern: Pattern, snippet: str) -> ContaminationResult:
    return ContaminationResult(True, _REASONS[pattern.category].format(_clip(snippet.strip())), pattern.name)


def _image_beacon(text: str) -> ContaminationResult | None:
    urls = [m.group(1) for m in MARKDOWN_IMAGE_RE.finditer(text)] + [m.group(1) for m in HTML_IMAGE_RE.finditer(text)]
    for url in urls:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https", "") or not (parts.netloc or url.startswith("//")):
            continue
        keys = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
        if PLACEHOLDER_RE.search(parts.query.lower()) or keys & SUSPICIOUS_QUERY_KEYS:
            return ContaminationResult(
                True,
                f"Contains an image link that would send data to an outside address: '{_clip(url)}'",
                "exfiltration_image",
            )
    return None


def _decode_text(candidate: str) -> str | None:
    """The text a base64 blob decodes to, or None when it is binary (an image, a hash, a key)."""
    raw = candidate.rstrip("=")
    raw += "=" * (-len(raw) % 4)
    try:
        data = base64.urlsafe_b64decode(raw) if ("-" in raw or "_" in raw) else base64.b64decode(raw)
        decoded = data.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in decoded)
    if not decoded or printable / len(decoded) < 0.9 or " " not in decoded:
        return None
    return decoded


def _url_result(check: UrlCheck | None) -> ContaminationResult:
    if check is None:
        return CLEAN
    what = "an image" if check.image else "a link"
    return ContaminationResult(
        True,
        f"The answer contains {what} to an address that is not in the source documents, which could leak data: "
        f"'{_clip(check.url)}'",
        "unlisted_image" if check.image else "unlisted_url",
    )


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
