"""The brand voice learning from reviews. Pure.

Rules from edits: the edits reviewers keep making, proposed as rules.

An edit is a word swap when the word diff between two consecutive versions of an item deletes one to three
words and inserts one to three words in their place ("users" → "customers"). A swap made in at least
`MIN_ITEMS` different items is a habit of the team, not a one-off correction, and is proposed as a
preferred term ("customers (not users)") for an admin to accept; the brand voice then flags the old word
and its fix applies the new one.

Calibration from decisions: once a space has `MIN_EACH` approved and `MIN_EACH` changes-requested versions,
each sub-score is weighted by how well it separates the two (its AUC above chance), so the overall score
ranks text the way this team's reviewers do; the page shows the separation before and after.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from backend.content.diff import word_diff

MIN_ITEMS = 2
MAX_WORDS = 3
_EDGE = re.compile(r"^[^\w]+|[^\w]+$")


@dataclass(frozen=True, slots=True)
class RuleProposal:
    find: str
    replace: str
    items: int
    """How many different items the swap was made in."""
    times: int

    @property
    def rule(self) -> str:
        return f"{self.replace} (not {self.find})"


def _phrase(text: str) -> str:
    return " ".join(_EDGE.sub("", w) for w in text.lower().split()).strip()


def swaps(old: str, new: str) -> list[tuple[str, str]]:
    """The (old phrase, new phrase) word swaps from `old` to `new`, lower-cased, punctuation trimmed."""
    segments = word_diff(old, new)
    found = []
    for before, after in pairwise(segments):
        if before["kind"] != "delete" or after["kind"] != "insert":
            continue
        a, b = _phrase(before["text"]), _phrase(after["text"])
        if a and b and a != b and len(a.split()) <= MAX_WORDS and len(b.split()) <= MAX_WORDS:
            found.append((a, b))
    return found


def propose_rules(
    histories: Iterable[tuple[str, list[str]]], known: Iterable[str] = (), min_items: int = MIN_ITEMS
) -> list[RuleProposal]:
    """Rules from `(item id, its version texts in order)`: swaps seen in at least `min_items` items, most
    frequent first; swaps whose old phrase is already a rule (`known`, lower-cased terms) are left out."""
    known_terms = {k.lower() for k in known}
    items: dict[tuple[str, str], set[str]] = {}
    times: dict[tuple[str, str], int] = {}
    for item_id, texts in histories:
        for old, new in pairwise(texts):
            for pair in swaps(old, new):
                items.setdefault(pair, set()).add(item_id)
                times[pair] = times.get(pair, 0) + 1
    proposals = [
        RuleProposal(find=a, replace=b, items=len(ids), times=times[(a, b)])
        for (a, b), ids in items.items()
        if len(ids) >= min_items and a not in known_terms
    ]
    return sorted(proposals, key=lambda p: (-p.items, -p.times, p.find))


MIN_EACH = 5
"""Approved and changes-requested decisions needed (each) before the score is calibrated on them."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """How well the voice score separates what reviewers approved from what they sent back, and sub-score
    weights fitted to those decisions (None until there are `MIN_EACH` of each)."""

    approved: int
    changes_requested: int
    default_auc: float | None
    """P(an approved version scores above a sent-back one) with the default weights; 0.5 is chance."""
    weights: dict[str, int] | None
    calibrated_auc: float | None
    """The same with the fitted weights, measured on the decisions they were fitted to (optimistic)."""
    part_auc: dict[str, float]


def auc(positive: list[float], negative: list[float]) -> float | None:
    """The Mann-Whitney probability that a positive scores above a negative (ties count half)."""
    if not positive or not negative:
        return None
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def weighted(sub_scores: list[dict[str, Any]], weights: dict[str, int]) -> int | None:
    """The overall score from sub-scores with `weights` (parts without a score or weight left out)."""
    parts = [(float(s["score"]), weights.get(str(s["name"]), 0)) for s in sub_scores if s.get("score") is not None]
    total = sum(w for _, w in parts)
    return round(sum(v * w for v, w in parts) / total) if total else None


def _default_score(report: dict[str, Any]) -> float:
    return float(report.get("default_score", report.get("score")) or 0)


def _part(reports: list[dict[str, Any]], name: str) -> list[float]:
    return [
        float(part["score"])
        for report in reports
        for part in report.get("sub_scores") or []
        if part.get("name") == name and part.get("score") is not None
    ]


def calibrate(decisions: Iterable[tuple[bool, dict[str, Any]]], min_each: int = MIN_EACH) -> Calibration:
    """`decisions`: (approved?, the brand_voice report of the version decided on). Each sub-score's weight
    is its lift over chance (AUC - 0.5) in separating the two; a part that does not separate them gets 0."""
    approved: list[dict[str, Any]] = []
    sent_back: list[dict[str, Any]] = []
    for ok, report in decisions:
        (approved if ok else sent_back).append(report)
    default = auc([_default_score(r) for r in approved], [_default_score(r) for r in sent_back])
    if len(approved) < min_each or len(sent_back) < min_each:
        return Calibration(len(approved), len(sent_back), default, None, None, {})
    names = sorted({str(p.get("name")) for r in approved + sent_back for p in r.get("sub_scores") or []})
    part_auc = {n: a for n in names if (a := auc(_part(approved, n), _part(sent_back, n))) is not None}
    lift = {n: max(0.0, a - 0.5) for n, a in part_auc.items()}
    if not sum(lift.values()):
        return Calibration(len(approved), len(sent_back), default, None, None, part_auc)
    weights = {n: round(100 * v / sum(lift.values())) for n, v in lift.items()}

    def rescored(reports: list[dict[str, Any]]) -> list[float]:
        return [float(s) for r in reports if (s := weighted(r.get("sub_scores") or [], weights)) is not None]

    return Calibration(
        len(approved), len(sent_back), default, weights, auc(rescored(approved), rescored(sent_back)), part_auc
    )


__all__ = [
    "MIN_EACH",
    "MIN_ITEMS",
    "Calibration",
    "RuleProposal",
    "auc",
    "calibrate",
    "propose_rules",
    "swaps",
    "weighted",
]
