"""The brand voice learning from reviews: the edits reviewers keep making, proposed as rules. Pure.

An edit is a word swap when the word diff between two consecutive versions of an item deletes one to three
words and inserts one to three words in their place ("users" → "customers"). A swap made in at least
`MIN_ITEMS` different items is a habit of the team, not a one-off correction, and is proposed as a
preferred term ("customers (not users)") for an admin to accept; the brand voice then flags the old word
and its fix applies the new one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

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


__all__ = ["MIN_ITEMS", "RuleProposal", "propose_rules", "swaps"]
