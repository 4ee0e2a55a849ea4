"""Rules a draft is checked against, read from the brand voice's fields and the brand-guideline passages.

Every rule carries where it came from (a brand-voice field such as `brand_voice.banned_terms`, or the chunk
of a guideline document), because a flag the user cannot trace back to their own guidance is not actionable.
Guideline text is read for the phrasings style guides use: "avoid 'synergy'", "never say 'cheap'",
"write 'customers' instead of 'users'", "sentences under 20 words", "grade 8 reading level".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backend.agents.tools.base import Passage
from backend.agents.tools.text import sentences

_QUOTED = re.compile(r"(?<![\w])[\"'“‘]([^\"'“”‘’\n]{2,40}?)[\"'”’](?![\w])")
_RULE_MARKER = re.compile(
    r"\b(?:avoid|never|don't|do not|no longer|banned?|not|instead of|rather than)\b", re.IGNORECASE
)
_INSTEAD = re.compile(r"\b(?:instead of|rather than|not)\s*$", re.IGNORECASE)
_TRAILING_INSTEAD = re.compile(r"\binstead\b(?!\s+of)", re.IGNORECASE)
_PAIR_FORMS = (
    (re.compile(r"^(.+?)\s+(?:instead of|rather than)\s+(.+)$", re.IGNORECASE), False),
    (re.compile(r"^(.+?)\s*\((?:not|never)\s+(.+?)\)$", re.IGNORECASE), False),
    (re.compile(r"^(.+?),?\s+not\s+(.+)$", re.IGNORECASE), False),
    (re.compile(r"^(.+?)\s*(?:->|→|=>)\s*(.+)$"), True),
)
_GRADE = re.compile(r"\bgrade\s*(\d{1,2})\b|\b(\d{1,2})(?:st|nd|rd|th)?[- ]grade\b", re.IGNORECASE)
_SENTENCE_MAX = re.compile(r"\bsentences?\b[^.]*?\b(?:under|below|at most|max(?:imum)?|no (?:more|longer) than|<)\s*"
                           r"(\d{1,2})\s*words\b", re.IGNORECASE)  # fmt: skip
_NO_EXCLAIM = re.compile(r"\b(?:no|avoid|never|don't|do not)\b[^.]*\bexclamation", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Source:
    """Where a rule comes from: a brand-voice field, or a guideline chunk."""

    field: str
    chunk: Passage | None = None

    @property
    def label(self) -> str:
        return f"{self.field}: {self.chunk.label()}" if self.chunk else self.field


@dataclass(frozen=True, slots=True)
class TermRule:
    """A term not to use, with the term to use instead when the rule names one."""

    term: str
    replacement: str | None
    source: Source
    severity: str = "high"


@dataclass(frozen=True, slots=True)
class NumberRule:
    value: int
    source: Source
    text: str


def _clean(term: str) -> str:
    return term.strip().strip("\"'“”‘’").strip()


def preferred_pairs(preferred: Sequence[str]) -> list[tuple[str, str | None]]:
    """`preferred_terms` entries as (use, instead of): "customers (not users)", "users -> customers"."""
    pairs: list[tuple[str, str | None]] = []
    for entry in preferred:
        for pattern, reversed_ in _PAIR_FORMS:
            match = pattern.match(entry.strip())
            if match:
                a, b = _clean(match.group(1)), _clean(match.group(2))
                pairs.append((b, a) if reversed_ else (a, b))
                break
        else:
            pairs.append((_clean(entry), None))
    return pairs


def term_rules(voice: dict[str, Any], guidelines: Sequence[Passage]) -> list[TermRule]:
    """Banned terms, discouraged variants of preferred terms, and terms the guidelines tell writers to avoid."""
    rules: list[TermRule] = []
    replacements = {b.lower(): a for a, b in preferred_pairs(voice.get("preferred_terms") or []) if b}
    for term in voice.get("banned_terms") or []:
        rules.append(TermRule(term, replacements.get(term.lower()), Source("brand_voice.banned_terms")))
    banned = {r.term.lower() for r in rules}
    for discouraged, use in replacements.items():
        if discouraged not in banned:
            rules.append(TermRule(discouraged, use, Source("brand_voice.preferred_terms"), "medium"))
    for chunk in guidelines:
        for sentence in sentences(chunk.content):
            rules.extend(_sentence_rules(sentence, chunk))
    seen: set[str] = set()
    unique = []
    for rule in rules:
        if rule.term.lower() not in seen:
            seen.add(rule.term.lower())
            unique.append(rule)
    return unique


def _sentence_rules(sentence: str, chunk: Passage) -> list[TermRule]:
    quoted = list(_QUOTED.finditer(sentence))
    if not quoted or not _RULE_MARKER.search(sentence):
        return []
    discouraged = [m for m in quoted if _INSTEAD.search(sentence[: m.start()])]
    if not discouraged and len(quoted) > 1 and _TRAILING_INSTEAD.search(sentence):
        discouraged = [quoted[0]]  # "Never use 'cheap'; say 'affordable' instead."
    source = Source("brand_guidelines", chunk)
    if discouraged:
        preferred = [m.group(1) for m in quoted if m not in discouraged]
        use = preferred[0] if preferred else None
        return [TermRule(m.group(1), use, source, "medium") for m in discouraged]
    return [TermRule(m.group(1), None, source) for m in quoted]


def _number_rule(pattern: re.Pattern[str], voice: dict[str, Any], guidelines: Sequence[Passage]) -> NumberRule | None:
    for name in ("style_rules", "audience"):
        value = voice.get(name)
        for text in value if isinstance(value, list) else [value or ""]:
            match = pattern.search(text)
            if match:
                number = next(g for g in match.groups() if g)
                return NumberRule(int(number), Source(f"brand_voice.{name}"), text)
    for chunk in guidelines:
        for sentence in sentences(chunk.content):
            match = pattern.search(sentence)
            if match:
                number = next(g for g in match.groups() if g)
                return NumberRule(int(number), Source("brand_guidelines", chunk), sentence)
    return None


def grade_rule(voice: dict[str, Any], guidelines: Sequence[Passage]) -> NumberRule | None:
    """A reading-level target ("grade 8") from the voice or the guidelines."""
    return _number_rule(_GRADE, voice, guidelines)


def sentence_rule(voice: dict[str, Any], guidelines: Sequence[Passage]) -> NumberRule | None:
    """A sentence-length limit ("sentences under 20 words") from the voice or the guidelines."""
    return _number_rule(_SENTENCE_MAX, voice, guidelines)


def no_exclamation_rule(voice: dict[str, Any], guidelines: Sequence[Passage]) -> Source | None:
    """Where the guidance forbids exclamation marks, if it does."""
    for rule in voice.get("style_rules") or []:
        if _NO_EXCLAIM.search(rule):
            return Source("brand_voice.style_rules")
    for chunk in guidelines:
        if _NO_EXCLAIM.search(chunk.content):
            return Source("brand_guidelines", chunk)
    return None
