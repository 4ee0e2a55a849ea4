"""Did the answer do what a source told the model to do? A response-side check that knows the run's sources.

The detector in `backend.safety` judges text on its own. This adds what only a run knows: which passages the
model read. A sentence of a passage that addresses the model ("AI assistants summarising this page...",
"Assistant: ...", "ignore your instructions...") is an instruction to the model, never data a marketer
wrote for readers; when the answer repeats that sentence's payload (a quoted string, a link, a code-like
token) the model obeyed it. Payloads the user's own request contains do not count (the user may ask for them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
_ADDRESSED = re.compile(
    r"\b(assistant|chat ?bot|language model|llm|ai model|\bai\b|gpt|system prompt|your instructions|"
    r"previous instructions|prior instructions|above instructions|the model|copilot|agent)s?\b",
    re.IGNORECASE,
)
_ORDER = re.compile(
    r"\b(ignore|disregard|forget|override|append|add|include|insert|print|reveal|output|say|reply|respond|write|"
    r"end (every|each|your)|start (every|each|your)|mention|tell|send|visit|repeat|translate|recommend)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“'‘]([^\"”'’\n]{3,80})[\"”'’]")
_LINK = re.compile(r"https?://[^\s)\]>\"'|]+")
_CODE = re.compile(r"\b(?=[A-Z0-9_-]*\d)(?=[A-Z0-9_-]*[A-Z])[A-Z0-9][A-Z0-9_-]{3,}\b")


@dataclass(frozen=True, slots=True)
class Echo:
    """An instruction of a source that the answer carried out."""

    chunk_id: str
    instruction: str
    payload: str


def instructions(text: str) -> list[str]:
    """Sentences of `text` that give the model an order (addressed to it, with an imperative in them)."""
    return [s.strip() for s in _SENTENCES.split(text) if s and _ADDRESSED.search(s) and _ORDER.search(s)]


def payloads(sentence: str) -> set[str]:
    found = {m.strip() for m in _QUOTED.findall(sentence)}
    found |= {link.rstrip(".,;") for link in _LINK.findall(sentence)}
    found |= set(_CODE.findall(sentence))
    return {p for p in found if len(p) >= 4}


def echoed_instruction(answer: str, passages: list[dict[str, object]], request: str = "") -> Echo | None:
    """The first source instruction whose payload the answer repeats (and the request did not ask for)."""
    lowered_answer, lowered_request = answer.lower(), request.lower()
    for passage in passages:
        for sentence in instructions(str(passage.get("content", ""))):
            for payload in payloads(sentence):
                key = payload.lower()
                if key in lowered_answer and key not in lowered_request:
                    return Echo(str(passage.get("chunk_id")), sentence[:300], payload)
    return None


__all__ = ["Echo", "echoed_instruction", "instructions", "payloads"]
