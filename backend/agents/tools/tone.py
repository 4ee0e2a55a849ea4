"""Tone as four measurable dimensions (0 to 1): formality, confidence, positivity and energy.

Each is counted from surface signals a reader notices (contractions and "you" against formal connectives and
long words; hedges against firm claims; positive against negative words; exclamations, imperatives and short
sentences), so a score can always be explained by the words that caused it. A brand's tone description
("friendly, confident, never corporate") becomes targets on the same scale through a small descriptor table;
"not"/"never"/"without" before a descriptor inverts it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from backend.agents.tools.text import plain_text, sentences, syllables, words

DIMENSIONS = ("formality", "confidence", "positivity", "energy")
TONE_GAP = 0.25
"""How far a dimension may sit from its target before it is flagged."""


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CONTRACTION = re.compile(r"\b\w+(?:n't|'re|'ll|'ve|'m|'d|'s)\b|\blet's\b", re.IGNORECASE)
_INFORMAL = _wordset(
    "hey hi awesome cool super stuff gonna wanna kinda folks guys yeah ok okay totally lots huge amazing wow "
    "yay oops btw"
)
_FORMAL = _wordset(
    "therefore furthermore moreover thus hence regarding utilise utilize facilitate pursuant accordingly "
    "consequently additionally nevertheless whereas herein commence endeavour endeavor obtain sufficient "
    "approximately subsequently prior aforementioned henceforth notwithstanding"
)
_HEDGES = (
    "might", "may", "maybe", "perhaps", "possibly", "probably", "could", "seems", "seem", "appears", "somewhat",
    "fairly", "sort of", "kind of", "i think", "we think", "we believe", "hopefully", "try to", "arguably",
    "tend to", "in some cases", "not sure",
)  # fmt: skip
_BOOSTERS = (
    "will", "definitely", "certainly", "clearly", "proven", "always", "every", "ensure", "ensures", "without doubt",
    "in fact", "guaranteed", "we know",
)  # fmt: skip
_POSITIVE = _wordset(
    "great easy love best happy success successful win wins benefit improve better fast simple enjoy excellent "
    "grow growth save helpful thrilled delighted exciting proud powerful effortless reliable confident clear "
    "welcome thanks thank glad wonderful smart"
)
_NEGATIVE = _wordset(
    "problem problems difficult hard fail failure bad worst risk lose loss slow pain painful frustrating "
    "complex expensive broken wrong worry struggle waste costly confusing annoying tedious"
)
_IMPERATIVES = _wordset(
    "get start discover try join make build grow see learn boost unlock save book claim download sign read "
    "find create explore take give register watch shop order call contact act"
)
_POWER = _wordset("now today new instantly fast free discover unlock boost transform launch limited")

_DESCRIPTORS: dict[str, dict[str, float]] = {
    "formal": {"formality": 0.8}, "professional": {"formality": 0.65, "confidence": 0.7},
    "corporate": {"formality": 0.85}, "casual": {"formality": 0.25}, "conversational": {"formality": 0.3},
    "friendly": {"formality": 0.35, "positivity": 0.75}, "warm": {"formality": 0.4, "positivity": 0.75},
    "approachable": {"formality": 0.35}, "playful": {"formality": 0.2, "energy": 0.75, "positivity": 0.75},
    "witty": {"formality": 0.3, "energy": 0.65}, "confident": {"confidence": 0.8},
    "bold": {"confidence": 0.85, "energy": 0.7}, "authoritative": {"confidence": 0.85, "formality": 0.7},
    "expert": {"confidence": 0.8}, "direct": {"confidence": 0.75}, "humble": {"confidence": 0.45},
    "modest": {"confidence": 0.45}, "empathetic": {"positivity": 0.65, "energy": 0.4},
    "calm": {"energy": 0.3}, "energetic": {"energy": 0.8}, "enthusiastic": {"energy": 0.8, "positivity": 0.8},
    "optimistic": {"positivity": 0.8}, "positive": {"positivity": 0.8}, "upbeat": {"positivity": 0.8, "energy": 0.7},
    "serious": {"formality": 0.65, "energy": 0.35}, "inspiring": {"energy": 0.7, "positivity": 0.8},
    "trustworthy": {"confidence": 0.7}, "reassuring": {"confidence": 0.7, "positivity": 0.7},
    "technical": {"formality": 0.7}, "salesy": {"energy": 0.85}, "pushy": {"energy": 0.85},
}  # fmt: skip
_NEGATORS = frozenset(("not", "never", "no", "without", "avoid", "less", "non"))


@dataclass(frozen=True, slots=True)
class ToneReading:
    """The four dimensions of a text and the words that moved each."""

    values: dict[str, float]
    evidence: dict[str, list[str]] = field(default_factory=dict)


def _phrases(low: str, phrases: tuple[str, ...]) -> list[str]:
    return [p for p in phrases for _ in re.finditer(rf"\b{re.escape(p)}\b", low)]


def _ratio(plus: float, minus: float, damping: float = 2.0) -> float:
    """0.5 when balanced, towards 1 when `plus` dominates, towards 0 when `minus` does."""
    return round(min(1.0, max(0.0, 0.5 + 0.5 * (plus - minus) / (plus + minus + damping))), 2)


def measure_tone(text: str) -> ToneReading:
    """Formality, confidence, positivity and energy of a text, each 0 to 1, with their evidence."""
    prose = plain_text(text)
    found = sentences(prose) or [prose]
    tokens = [w.lower() for w in words(prose)]
    n = max(1, len(tokens))
    low = " ".join(tokens)
    contractions = _CONTRACTION.findall(prose)
    informal = [w for w in tokens if w in _INFORMAL]
    formal = [w for w in tokens if w in _FORMAL]
    you = [w for w in tokens if w in ("you", "your", "you're", "yours")]
    long = [w for w in tokens if syllables(w) >= 3]
    long_words = len(long) / n
    exclaims = prose.count("!")
    informal_signal = 100 * (len(contractions) + 0.5 * len(you) + exclaims + 2 * len(informal)) / n
    formal_signal = 100 * 2 * len(formal) / n + 25 * long_words
    hedges = _phrases(low, _HEDGES)
    boosters = _phrases(low, _BOOSTERS)
    positive = [w for w in tokens if w in _POSITIVE]
    negative = [w for w in tokens if w in _NEGATIVE]
    starts = [words(s)[0].lower() for s in found if words(s)]
    imperative = [w for w in starts if w in _IMPERATIVES]
    short = sum(1 for s in found if len(words(s)) <= 10) / len(found)
    power = [w for w in tokens if w in _POWER]
    energy = 0.15 + 0.3 * min(1.0, exclaims / len(found)) + 0.25 * len(imperative) / len(found)
    energy += 0.15 * short + 0.15 * min(1.0, 3 * len(power) / len(found))
    return ToneReading(
        values={
            "formality": _ratio(formal_signal, informal_signal, 8.0),
            "confidence": _ratio(len(boosters), len(hedges)),
            "positivity": _ratio(len(positive), len(negative)),
            "energy": round(min(1.0, energy), 2),
        },
        evidence={
            "formality": [*formal[:4], *informal[:4], *contractions[:4], *long[:3]],
            "confidence": [*hedges[:6], *boosters[:6]],
            "positivity": [*positive[:6], *negative[:6]],
            "energy": [*(["!"] if exclaims else []), *imperative[:4], *power[:4]],
        },
    )


def tone_targets(description: str) -> dict[str, float]:
    """Targets on the four dimensions from a tone description ("friendly, confident, never corporate")."""
    tokens = [t.lower() for t in words(description)]
    collected: dict[str, list[float]] = {}
    for i, token in enumerate(tokens):
        targets = _DESCRIPTORS.get(token)
        if not targets:
            continue
        negated = any(t in _NEGATORS for t in tokens[max(0, i - 2) : i])
        for dimension, value in targets.items():
            collected.setdefault(dimension, []).append(round(1.0 - value, 2) if negated else value)
    return {d: round(sum(v) / len(v), 2) for d, v in collected.items()}


_FIXES = {
    ("formality", "high"): "Use contractions (we're, you'll), talk to the reader as 'you' and swap formal words "
    "for plain ones",
    ("formality", "low"): "Drop slang and exclamation marks and write contractions out",
    ("confidence", "low"): "Remove hedges and state the point plainly",
    ("confidence", "high"): "Soften absolute claims or back them with a source",
    ("positivity", "low"): "Lead with what the reader gains; frame problems as what they solve",
    ("positivity", "high"): "Tone down the superlatives; let one concrete benefit carry the point",
    ("energy", "low"): "Start sentences with a verb, shorten them and end with a clear call to action",
    ("energy", "high"): "Cut exclamation marks and stacked imperatives; let the facts carry it",
}


def tone_fix(dimension: str, too: str, evidence: list[str]) -> str:
    """A concrete fix for a dimension that reads too high or too low, naming the words that caused it."""
    fix = _FIXES[(dimension, too)]
    return f"{fix} (found: {', '.join(repr(e) for e in evidence[:4])})." if evidence else f"{fix}."
