"""`score_voice`: how well a text matches a space's brand voice, 0-100, with sub-scores and traceable flags.

Pure and deterministic (the Content issue scores every draft version with it, and two scores of the same text
must agree). Sub-scores and their weights: tone 25, terms 25, similarity to approved content 20, reading
level 15, sentence length 15. A part with nothing to compare against (no tone described, no approved content)
is left out and the weights of the others are rescaled, so a sparse voice does not drag every score down.
Each flag names the rule's source (a brand-voice field or a guideline chunk) and proposes a concrete fix.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from backend.agents.tools.base import Passage
from backend.agents.tools.text import contains_phrase, plain_text, sentences, text_stats, words
from backend.agents.tools.tone import DIMENSIONS, TONE_GAP, measure_tone, tone_fix, tone_targets
from backend.agents.tools.voice_rules import Source, grade_rule, no_exclamation_rule, sentence_rule, term_rules

WEIGHTS = {"tone": 25, "terms": 25, "similarity": 20, "reading_level": 15, "sentence_length": 15}
DEFAULT_GRADE_MAX = 9
"""Marketing copy should read at grade 9 or below when the voice names no reading level."""
DEFAULT_SENTENCE_MAX = 25
_FUNCTION_WORDS = (
    "the", "a", "an", "and", "to", "of", "in", "on", "for", "with", "is", "are", "be", "it", "this", "that", "you",
    "your", "we", "our", "us", "i", "not", "but", "so", "can", "will", "just", "all", "more", "how", "what", "if",
    "or", "as", "at", "by", "from",
)  # fmt: skip
_SPLITS = (", and ", ", but ", "; ", " which ", " because ", ", so ", " while ", " and ")


class VoiceFlag(BaseModel):
    rule: str = Field(description="banned_term, tone, reading_level, sentence_length, similarity or style_rule")
    severity: str = Field(description="high, medium or low")
    message: str
    source: str = Field(description="The brand-voice field or guideline the rule comes from")
    source_chunk_id: str | None = None
    excerpt: str | None = Field(default=None, description="Where in the text")
    fix: str


class SubScore(BaseModel):
    name: str
    score: int | None = Field(description="0-100; null when there was nothing to compare against")
    weight: int
    detail: str


class VoiceReport(BaseModel):
    score: int = Field(description="0-100 overall match with the brand voice")
    sub_scores: list[SubScore]
    flags: list[VoiceFlag]
    reading_grade: float
    avg_sentence_words: float


def _flag(rule: str, severity: str, message: str, source: Source, fix: str, excerpt: str | None = None) -> VoiceFlag:
    return VoiceFlag(
        rule=rule,
        severity=severity,
        message=message,
        source=source.label,
        source_chunk_id=source.chunk.chunk_id if source.chunk else None,
        excerpt=excerpt,
        fix=fix,
    )


def _excerpt(text: str, term: str) -> str | None:
    match = re.search(rf"(?<![\w]){re.escape(term)}(?![\w])", text, re.IGNORECASE)
    if not match:
        return None
    start, end = max(0, match.start() - 40), min(len(text), match.end() + 40)
    return ("…" if start else "") + " ".join(text[start:end].split()) + ("…" if end < len(text) else "")


def _terms(text: str, voice: dict[str, Any], guidelines: Sequence[Passage], flags: list[VoiceFlag]) -> SubScore:
    penalty, checked = 0, 0
    for rule in term_rules(voice, guidelines):
        checked += 1
        if not contains_phrase(text, rule.term):
            continue
        penalty += 25 if rule.severity == "high" else 10
        fix = (
            f"Replace '{rule.term}' with '{rule.replacement}'."
            if rule.replacement
            else (f"Remove '{rule.term}' or say what it means in plain words.")
        )
        what = "a banned term" if rule.severity == "high" else "discouraged"
        flags.append(_flag("banned_term", rule.severity, f"Uses '{rule.term}' ({what}).", rule.source, fix,
                           _excerpt(text, rule.term)))  # fmt: skip
    exclaim = no_exclamation_rule(voice, guidelines)
    if exclaim and "!" in text:
        checked += 1
        penalty += 10
        flags.append(_flag("style_rule", "medium", "Uses exclamation marks, which the style rules exclude.", exclaim,
                           "End those sentences with a full stop.", _excerpt(text, "!")))  # fmt: skip
    if not checked:
        return SubScore(name="terms", score=None, weight=WEIGHTS["terms"], detail="No term rules in the voice.")
    return SubScore(name="terms", score=max(0, 100 - penalty), weight=WEIGHTS["terms"],
                    detail=f"{checked} rules checked.")  # fmt: skip


def _tone(text: str, voice: dict[str, Any], flags: list[VoiceFlag]) -> SubScore:
    targets = tone_targets(str(voice.get("tone") or ""))
    if not targets:
        return SubScore(name="tone", score=None, weight=WEIGHTS["tone"], detail="No recognisable tone described.")
    reading = measure_tone(text)
    gaps = []
    for dimension in DIMENSIONS:
        if dimension not in targets:
            continue
        value, target = reading.values[dimension], targets[dimension]
        gaps.append(abs(value - target))
        if abs(value - target) > TONE_GAP:
            too = "high" if value > target else "low"
            flags.append(
                _flag("tone", "medium", f"Reads {too} on {dimension} ({value:.2f}; the tone asks for ~{target:.2f}).",
                      Source("brand_voice.tone"), tone_fix(dimension, too, reading.evidence[dimension]))
            )  # fmt: skip
    score = round(max(0.0, 100 - 150 * sum(gaps) / len(gaps)))
    detail = ", ".join(f"{d} {reading.values[d]:.2f}/{t:.2f}" for d, t in targets.items())
    return SubScore(name="tone", score=score, weight=WEIGHTS["tone"], detail=f"measured/target: {detail}")


def _voice_range(voice: dict[str, Any], name: str) -> tuple[float | None, float | None]:
    """A `{"min", "max"}` target of the voice (`reading_level`, `sentence_length`); (None, None) when unset."""
    value = voice.get(name)
    if not isinstance(value, dict):
        return None, None
    low, high = (value.get(k) for k in ("min", "max"))
    return (
        float(low) if isinstance(low, int | float) else None,
        float(high) if isinstance(high, int | float) else None,
    )


def _span(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g}-{high:g}"
    return f"{high:g} or below" if high is not None else f"{low:g} or above"


def _reading(grade: float, voice: dict[str, Any], guidelines: Sequence[Passage], flags: list[VoiceFlag]) -> SubScore:
    low, high = _voice_range(voice, "reading_level")
    if low is not None or high is not None:
        # The voice's own target range outranks a grade read from its prose or the guidelines.
        source = Source("brand_voice.reading_level")
    else:
        rule = grade_rule(voice, guidelines)
        # A stated grade is a ceiling with some slack below ("grade 8" copy may read at grade 5, not at 12);
        # without one, only the ceiling applies: simple copy is never penalised.
        high = rule.value + 1 if rule else DEFAULT_GRADE_MAX
        low = max(0, rule.value - 4) if rule else None
        source = rule.source if rule else Source(f"default: marketing copy reads at grade {high:g} or below")
    target = _span(low, high)
    distance = max(0.0, grade - high if high is not None else 0.0, (low - grade) if low is not None else 0.0)
    if distance:
        above = high is not None and grade > high
        fix = ("Split long sentences and swap long words for short ones." if above
               else "Combine a few very short sentences and add specifics.")  # fmt: skip
        flags.append(_flag("reading_level", "medium" if distance > 2 else "low",
                           f"Reads at grade {grade:.1f}; the target is {target}.", source, fix))  # fmt: skip
    return SubScore(name="reading_level", score=round(max(0.0, 100 - 15 * distance)), weight=WEIGHTS["reading_level"],
                    detail=f"grade {grade:.1f}, target {target}")  # fmt: skip


def _sentences(prose: str, voice: dict[str, Any], guidelines: Sequence[Passage], flags: list[VoiceFlag]) -> SubScore:
    rule = sentence_rule(voice, guidelines)
    limit = rule.value if rule else DEFAULT_SENTENCE_MAX
    source = rule.source if rule else Source(f"default: sentences of at most {limit} words")
    found = sentences(prose)
    over = sorted((s for s in found if len(words(s)) > limit), key=lambda s: -len(words(s)))
    for sentence in over[:3]:
        split = next((p.strip(" ,;") for p in _SPLITS if p in sentence), None)
        fix = f"Split it at '{split}'." if split else "Split it into two sentences."
        flags.append(_flag("sentence_length", "low", f"A sentence of {len(words(sentence))} words (limit {limit}).",
                           source, fix, sentence[:160]))  # fmt: skip
    share = 1 - len(over) / len(found) if found else 1.0
    detail = f"{len(over)} of {len(found)} sentences over {limit} words"
    low, high = _voice_range(voice, "sentence_length")
    if found and (low is not None or high is not None):
        # The voice's range is on the average: copy of 30-word sentences fails it even if none is over `limit`.
        average = sum(len(words(s)) for s in found) / len(found)
        distance = max(0.0, average - high if high is not None else 0.0, (low - average) if low is not None else 0.0)
        target = _span(low, high)
        detail += f"; average {average:.1f} words, target {target}"
        if distance:
            longest = max(found, key=lambda s: len(words(s)))
            split = next((p.strip(" ,;") for p in _SPLITS if p in longest), None)
            fix = (
                (f"Split the longest sentences (start at '{split}')." if split else "Split the longest sentences.")
                if high is not None and average > high
                else "Join short sentences that belong together, or add the detail a reader needs."
            )
            flags.append(_flag("sentence_length", "medium" if distance > 5 else "low",
                               f"Sentences average {average:.1f} words; the target is {target}.",
                               Source("brand_voice.sentence_length"), fix))  # fmt: skip
        share = max(0.0, share - distance / 10)
    return SubScore(name="sentence_length", score=round(100 * share), weight=WEIGHTS["sentence_length"],
                    detail=detail)  # fmt: skip


def style_profile(text: str) -> tuple[list[float], dict[str, float]]:
    """Function-word frequencies (a classic authorship signal) and the rates a reader hears as voice."""
    prose = plain_text(text)
    tokens = [w.lower() for w in words(prose)]
    n, found = max(1, len(tokens)), sentences(prose) or [prose]
    vector = [tokens.count(w) / n for w in _FUNCTION_WORDS]
    rates = {
        "words per sentence": len(tokens) / len(found),
        "'you' per 100 words": 100 * sum(1 for t in tokens if t in ("you", "your")) / n,
        "contractions per 100 words": 100 * sum(1 for t in tokens if "'" in t or "’" in t) / n,
        "exclamations per sentence": prose.count("!") / len(found),
    }
    return vector, rates


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


_SCALES = {"words per sentence": 20.0, "'you' per 100 words": 5.0, "contractions per 100 words": 3.0,
           "exclamations per sentence": 0.5}  # fmt: skip


def _similarity(text: str, voice: dict[str, Any], approved: Sequence[Passage], flags: list[VoiceFlag]) -> SubScore:
    references: list[tuple[Passage | None, str]] = [(p, p.content) for p in approved]
    if voice.get("example_copy"):
        references.append((None, str(voice["example_copy"])))
    if not references:
        return SubScore(name="similarity", score=None, weight=WEIGHTS["similarity"], detail="No approved content.")
    vector, rates = style_profile(text)
    best: tuple[float, Passage | None, dict[str, float]] = (-1.0, None, {})
    for passage, content in references:
        ref_vector, ref_rates = style_profile(content)
        closeness = 1 - sum(min(1.0, abs(rates[k] - ref_rates[k]) / _SCALES[k]) for k in rates) / len(rates)
        value = 0.5 * max(0.0, (_cosine(vector, ref_vector) - 0.5) / 0.5) + 0.5 * closeness
        if value > best[0]:
            best = (value, passage, ref_rates)
    value, passage, ref_rates = best
    score = round(100 * value)
    if score < 60:
        key = max(rates, key=lambda k: abs(rates[k] - ref_rates[k]) / _SCALES[k])
        source = Source("approved_content", passage) if passage else Source("brand_voice.example_copy")
        flags.append(_flag("similarity", "low", f"Reads unlike the approved content (similarity {score}).", source,
                           f"Approved content has {ref_rates[key]:.1f} {key}; this text {rates[key]:.1f}: move "
                           "towards it."))  # fmt: skip
    label = passage.label() if passage else "brand_voice.example_copy"
    return SubScore(name="similarity", score=score, weight=WEIGHTS["similarity"], detail=f"closest: {label}")


def score_voice(
    text: str, voice: dict[str, Any], guidelines: Sequence[Passage], approved: Sequence[Passage]
) -> VoiceReport:
    """Score `text` against the brand voice, the brand-guideline passages and the approved-content passages."""
    flags: list[VoiceFlag] = []
    stats = text_stats(text)
    parts = [
        _tone(text, voice, flags),
        _terms(text, voice, guidelines, flags),
        _similarity(text, voice, approved, flags),
        _reading(stats.flesch_kincaid_grade, voice, guidelines, flags),
        _sentences(plain_text(text), voice, guidelines, flags),
    ]
    scored = [p for p in parts if p.score is not None]
    total = sum(p.weight for p in scored)
    overall = round(sum((p.score or 0) * p.weight for p in scored) / total) if total else 0
    order = {"high": 0, "medium": 1, "low": 2}
    return VoiceReport(
        score=overall,
        sub_scores=parts,
        flags=sorted(flags, key=lambda f: order.get(f.severity, 3)),
        reading_grade=stats.flesch_kincaid_grade,
        avg_sentence_words=stats.avg_sentence_words,
    )
