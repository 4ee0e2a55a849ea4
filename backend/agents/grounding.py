"""Grounding: every factual or numeric sentence of a draft, linked to the passage that supports it or marked
as having none. Pure and deterministic, so it runs on every draft and every content version.

A sentence is a *claim* when it states something checkable: a number (figures, percentages, prices, years),
a name (a capitalised word inside the sentence), or a superlative ("the fastest", "the only", "#1").
Questions, calls to action and headings are not claims. A claim is *supported* by a passage when every number
in it appears in the passage and most of its content words do too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'“(\[]?[A-Z0-9])")
_CITATION = re.compile(r"\[S(\d{1,3})\]")
_CITATION_MARK = re.compile(r"\s*\[S\d{1,3}\]")
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)(\s?%|\s?percent)?")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_NAME = re.compile(r"(?<=\s)[A-Z][a-zA-Z]+")
_SUPERLATIVE = re.compile(r"\b(fastest|best|largest|leading|only|first|cheapest|most|#1|number one)\b", re.I)
_IMPERATIVE_START = re.compile(
    r"^(try|get|start|sign|join|book|download|contact|learn|discover|click|see|read|call|visit|register|buy)\b", re.I
)
_STOP_WORDS = (
    "a an the and or but of to in on at for with by from as is are was were be been being it its this that these "
    "those our your their we you they he she his her them us can will would should could may might must has have "
    "had do does did not no than then so such also more most very just into over about up out all any each"
)
_STOP = frozenset(_STOP_WORDS.split())
SUPPORT_THRESHOLD = 0.6
USED_MIN_SHARED, USED_MIN_SHARE = 4, 0.25
"""A passage counts as drawn on when the answer shares at least 4 of its content words and a quarter of them."""


@dataclass(frozen=True, slots=True)
class Claim:
    text: str
    supported: bool
    sources: tuple[dict[str, Any], ...] = field(default=())
    """`{chunk_id, document_id}` of each supporting passage, best first."""

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "supported": self.supported, "sources": list(self.sources)}


def _stem(word: str) -> str:
    word = word.lower().strip("'-")
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 2}


def numbers(text: str) -> set[str]:
    found = set()
    for value, percent in _NUMBER.findall(text):
        normal = value.replace(",", "")
        found.add(normal + ("%" if percent else ""))
    return found


def sentences(draft: str) -> list[str]:
    """The draft's prose sentences (headings, code fences and table rules skipped; citation markers removed)."""
    out: list[str] = []
    in_code = False
    for raw in draft.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code or not line or line.startswith("#") or set(line) <= set("|-: "):
            continue
        line = re.sub(r"^([-*+]|\d+[.)])\s+", "", line)
        out.extend(s.strip() for s in _SENTENCE.split(line) if s.strip())
    return out


def is_claim(sentence: str) -> bool:
    text = _CITATION_MARK.sub("", sentence).strip()
    if len(text) < 12 or text.endswith("?") or _IMPERATIVE_START.match(text):
        return False
    return bool(numbers(text) or _NAME.search(" " + text[1:]) or _SUPERLATIVE.search(text))


def _support(claim: str, passage: dict[str, Any]) -> float:
    content = str(passage.get("content", ""))
    claim_numbers = numbers(claim)
    if claim_numbers and not claim_numbers <= numbers(content):
        return 0.0
    words = content_words(claim)
    if not words:
        return 1.0 if claim_numbers else 0.0
    return len(words & content_words(content)) / len(words)


def check_claims(draft: str, passages: list[dict[str, Any]]) -> list[Claim]:
    """Each claim of `draft` with its supporting passages (score ≥ SUPPORT_THRESHOLD), best first.

    A claim citing [Sn] is checked against that passage first, but an invented citation does not count:
    the cited passage must really support it.
    """
    claims = []
    for sentence in sentences(draft):
        if not is_claim(sentence):
            continue
        text = _CITATION_MARK.sub("", sentence).strip()
        scored = sorted(
            ((score, p) for p in passages if (score := _support(text, p)) >= SUPPORT_THRESHOLD),
            key=lambda pair: -pair[0],
        )
        sources = tuple({"chunk_id": p.get("chunk_id"), "document_id": p.get("document_id")} for _, p in scored[:2])
        claims.append(Claim(text=text, supported=bool(sources), sources=sources))
    return claims


def cited_numbers(draft: str) -> list[int]:
    """The source numbers (1-based) the draft cites as [Sn], in first-use order."""
    return list(dict.fromkeys(int(n) for n in _CITATION.findall(draft)))


def citations_for(draft: str, passages: list[dict[str, Any]], claims: list[Claim]) -> list[dict[str, Any]]:
    """The passages the draft cites or that support its claims, each once, in order of first use."""
    chosen: dict[str, dict[str, Any]] = {}
    for number in cited_numbers(draft):
        if 1 <= number <= len(passages):
            chosen.setdefault(str(passages[number - 1].get("chunk_id")), passages[number - 1])
    by_id = {str(p.get("chunk_id")): p for p in passages}
    if not chosen and not any(c.sources for c in claims):
        # No marker and no checkable claim (a subject line, a plan): cite the passages the answer drew on,
        # judged by the content words it shares with each.
        draft_words = content_words(draft)
        for passage in passages:
            words = content_words(str(passage.get("content", "")))
            shared = len(draft_words & words)
            if words and shared >= USED_MIN_SHARED and shared / len(words) >= USED_MIN_SHARE:
                chosen.setdefault(str(passage.get("chunk_id")), passage)
    for claim in claims:
        for source in claim.sources:
            key = str(source.get("chunk_id"))
            if key in by_id:
                chosen.setdefault(key, by_id[key])
    return [
        {
            "chunk_id": str(p.get("chunk_id")),
            "document_id": p.get("document_id"),
            "document_title": p.get("document_title") or "",
            "heading_path": list(p.get("heading_path") or ()),
            "page": p.get("page"),
            "source_url": p.get("source_url"),
        }
        for p in chosen.values()
    ]


__all__ = ["Claim", "check_claims", "citations_for", "cited_numbers", "content_words", "is_claim", "sentences"]
